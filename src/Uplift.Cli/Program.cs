return Uplift.Cli.UpliftCli.Run(args);

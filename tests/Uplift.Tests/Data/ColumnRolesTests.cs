using Uplift.Data;
using Xunit;
using static Uplift.Tests.Data.DataTestUtil;

namespace Uplift.Tests.Data;

public class ColumnRolesTests
{
    static RawTable T() => new("data.csv", 1,
        new[] { "t", "v", "c", "a", "b" }.Select(n => RawColumn.Numeric(n, [1])));

    [Fact]
    public void Default_features_are_all_other_columns()
    {
        var bound = (Roles with { Id = "b" }).Bind(T());
        Assert.Equal(["a"], bound.Features!);
    }

    [Fact]
    public void Missing_role_column_lists_available_columns() =>
        Throws(() => new ColumnRoles("treat", "v", "c").Bind(T()), "data.csv", "'treat' (treatment) not found", "available columns: t, v, c, a, b");

    [Fact]
    public void Missing_feature_column_lists_available_columns() =>
        Throws(() => (Roles with { Features = ["a", "zz"] }).Bind(T()), "data.csv", "'zz' not found", "available columns: t, v, c, a, b");

    [Fact]
    public void Column_named_twice_in_roles() =>
        Throws(() => new ColumnRoles("t", "v", "v").Bind(T()), "column 'v' is named twice", "as value and as cost");

    [Fact]
    public void Feature_that_is_also_a_role() =>
        Throws(() => (Roles with { Features = ["a", "t"] }).Bind(T()), "column 't' is named twice", "as treatment and as a feature");

    [Fact]
    public void Feature_named_twice() =>
        Throws(() => (Roles with { Features = ["a", "a"] }).Bind(T()), "'a' is named twice in the feature list");

    [Fact]
    public void Empty_feature_list() =>
        Throws(() => (Roles with { Features = [] }).Bind(T()), "data.csv", "feature list is empty");

    [Fact]
    public void No_column_left_for_features()
    {
        var t = new RawTable("data.csv", 1, new[] { "t", "v", "c" }.Select(n => RawColumn.Numeric(n, [1])));
        Throws(() => Roles.Bind(t), "data.csv", "no feature columns");
    }
}

using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Uplift.Tests.Architecture;

/// <summary>
/// The graph of namespace dependencies of one assembly, read from its metadata (System.Reflection.Metadata): for
/// each type defined in the assembly (nested and compiler-generated types count as their outermost declaring type),
/// the types of the assembly it names in its base type, interfaces, generic constraints, custom attributes, field,
/// property and method signatures, method locals and the operands of every IL instruction of its method bodies
/// (type, field, method and token operands, generic instantiations included). Only namespaces starting with
/// <see cref="Root"/> are kept; <c>Uplift.Models.*</c> is grouped as <c>Uplift.Models</c>.
/// </summary>
sealed class NamespaceGraph
{
    public const string Root = "Uplift";

    /// <summary>from → to → an example "TypeA → TypeB" of the dependency.</summary>
    public IReadOnlyDictionary<string, SortedDictionary<string, string>> Edges => _edges;

    readonly Dictionary<string, SortedDictionary<string, string>> _edges = new(StringComparer.Ordinal);

    /// <summary>The namespace of a type, grouped: <c>Uplift.Models.X</c> → <c>Uplift.Models</c>.</summary>
    public static string Group(string ns) =>
        ns == "Uplift.Models" || ns.StartsWith("Uplift.Models.", StringComparison.Ordinal) ? "Uplift.Models" : ns;

    static bool Kept(string ns) => ns == Root || ns.StartsWith(Root + ".", StringComparison.Ordinal);

    /// <summary>Reads the graph of an assembly.</summary>
    public static NamespaceGraph Read(string assemblyPath)
    {
        var g = new NamespaceGraph();
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        foreach (var h in md.TypeDefinitions)
        {
            var used = new HashSet<TypeDefinitionHandle>();
            new Collector(md, pe, used).Type(h);
            var (fromNs, fromName) = Outer(md, h);
            if (!Kept(fromNs)) continue;
            foreach (var u in used)
            {
                var (toNs, toName) = Outer(md, u);
                if (!Kept(toNs) || toNs == fromNs) continue;
                if (!g._edges.TryGetValue(fromNs, out var to)) g._edges[fromNs] = to = new(StringComparer.Ordinal);
                to.TryAdd(toNs, $"{fromName} → {toName}");
            }
        }
        return g;
    }

    /// <summary>The grouped namespace and full name of the outermost type declaring <paramref name="h"/>.</summary>
    static (string Ns, string Name) Outer(MetadataReader md, TypeDefinitionHandle h)
    {
        var td = md.GetTypeDefinition(h);
        while (td.IsNested) td = md.GetTypeDefinition(td.GetDeclaringType());
        string ns = md.GetString(td.Namespace);
        return (Group(ns), ns.Length == 0 ? md.GetString(td.Name) : ns + "." + md.GetString(td.Name));
    }

    /// <summary>A shortest path from <paramref name="from"/> to <paramref name="to"/> (namespaces), or null.</summary>
    public List<string>? Path(string from, string to)
    {
        var prev = new Dictionary<string, string>(StringComparer.Ordinal) { [from] = "" };
        var queue = new Queue<string>();
        queue.Enqueue(from);
        while (queue.Count > 0)
        {
            var a = queue.Dequeue();
            if (a == to && a != from) break;
            if (!_edges.TryGetValue(a, out var next)) continue;
            foreach (var b in next.Keys)
                if (prev.TryAdd(b, a)) queue.Enqueue(b);
        }
        if (!prev.ContainsKey(to) || from == to) return null;
        var path = new List<string> { to };
        for (var x = to; x != from;) path.Add(x = prev[x]);
        path.Reverse();
        return path;
    }

    /// <summary>A path written with the example dependency of each step.</summary>
    public string Describe(List<string> path) =>
        string.Join(", ", Enumerable.Range(0, path.Count - 1)
            .Select(i => $"{path[i]} → {path[i + 1]} ({_edges[path[i]][path[i + 1]]})"));

    /// <summary>The strongly connected components with more than one namespace (each is a cycle), sorted.</summary>
    public List<List<string>> Cycles()
    {
        // Tarjan's algorithm
        var nodes = _edges.Keys.Concat(_edges.Values.SelectMany(v => v.Keys)).Distinct().OrderBy(x => x, StringComparer.Ordinal).ToList();
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<List<string>>();
        int counter = 0;
        void Visit(string v)
        {
            index[v] = low[v] = counter++;
            stack.Push(v);
            onStack.Add(v);
            if (_edges.TryGetValue(v, out var next))
                foreach (var w in next.Keys)
                {
                    if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                    else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
                }
            if (low[v] != index[v]) return;
            var scc = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); scc.Add(x); } while (x != v);
            if (scc.Count > 1) result.Add(scc.OrderBy(s => s, StringComparer.Ordinal).ToList());
        }
        foreach (var v in nodes)
            if (!index.ContainsKey(v)) Visit(v);
        return result.OrderBy(c => c[0], StringComparer.Ordinal).ToList();
    }

    /// <summary>Every edge, one per line, for failure messages.</summary>
    public string Dump() =>
        string.Join("\n", _edges.OrderBy(e => e.Key, StringComparer.Ordinal)
            .SelectMany(e => e.Value.Select(t => $"  {e.Key} → {t.Key} ({t.Value})")));

    /// <summary>Collects the type definitions one type depends on.</summary>
    sealed class Collector : ISignatureTypeProvider<object?, object?>
    {
        readonly MetadataReader _md;
        readonly PEReader _pe;
        readonly HashSet<TypeDefinitionHandle> _used;

        public Collector(MetadataReader md, PEReader pe, HashSet<TypeDefinitionHandle> used)
        {
            _md = md;
            _pe = pe;
            _used = used;
        }

        public void Type(TypeDefinitionHandle h)
        {
            var td = _md.GetTypeDefinition(h);
            Entity(td.BaseType);
            foreach (var ih in td.GetInterfaceImplementations()) Entity(_md.GetInterfaceImplementation(ih).Interface);
            GenericParameters(td.GetGenericParameters());
            Attributes(td.GetCustomAttributes());
            foreach (var fh in td.GetFields())
            {
                var f = _md.GetFieldDefinition(fh);
                f.DecodeSignature(this, null);
                Attributes(f.GetCustomAttributes());
            }
            foreach (var ph in td.GetProperties())
            {
                var p = _md.GetPropertyDefinition(ph);
                p.DecodeSignature(this, null);
                Attributes(p.GetCustomAttributes());
            }
            foreach (var mh in td.GetMethods()) Method(_md.GetMethodDefinition(mh));
        }

        void Method(MethodDefinition m)
        {
            m.DecodeSignature(this, null);
            GenericParameters(m.GetGenericParameters());
            Attributes(m.GetCustomAttributes());
            foreach (var ph in m.GetParameters()) Attributes(_md.GetParameter(ph).GetCustomAttributes());
            if (m.RelativeVirtualAddress == 0) return;
            var body = _pe.GetMethodBody(m.RelativeVirtualAddress);
            if (!body.LocalSignature.IsNil)
                _md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(this, null);
            foreach (var region in body.ExceptionRegions) Entity(region.CatchType);
            var il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                int code = il.ReadByte();
                if (code == 0xFE) code = 0xFE00 | il.ReadByte();
                if (!Operands.TryGetValue(code, out var operand))
                    throw new InvalidOperationException($"unknown IL opcode 0x{code:X} in {_md.GetString(m.Name)}.");
                switch (operand)
                {
                    case OperandType.InlineNone: break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: il.ReadByte(); break;
                    case OperandType.InlineVar: il.ReadInt16(); break;
                    case OperandType.InlineI8 or OperandType.InlineR: il.ReadInt64(); break;
                    case OperandType.InlineSwitch:
                        int count = il.ReadInt32();
                        for (int i = 0; i < count; i++) il.ReadInt32();
                        break;
                    case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                        Entity(MetadataTokens.EntityHandle(il.ReadInt32()));
                        break;
                    default: il.ReadInt32(); break; // InlineI, InlineBrTarget, InlineSig, InlineString, ShortInlineR
                }
            }
        }

        void GenericParameters(GenericParameterHandleCollection ps)
        {
            foreach (var gh in ps)
                foreach (var ch in _md.GetGenericParameter(gh).GetConstraints())
                    Entity(_md.GetGenericParameterConstraint(ch).Type);
        }

        void Attributes(CustomAttributeHandleCollection cas)
        {
            foreach (var ch in cas) Entity(_md.GetCustomAttribute(ch).Constructor);
        }

        void Entity(EntityHandle h)
        {
            if (h.IsNil) return;
            switch (h.Kind)
            {
                case HandleKind.TypeDefinition: _used.Add((TypeDefinitionHandle)h); break;
                case HandleKind.TypeSpecification: _md.GetTypeSpecification((TypeSpecificationHandle)h).DecodeSignature(this, null); break;
                case HandleKind.MethodDefinition: _used.Add(_md.GetMethodDefinition((MethodDefinitionHandle)h).GetDeclaringType()); break;
                case HandleKind.FieldDefinition: _used.Add(_md.GetFieldDefinition((FieldDefinitionHandle)h).GetDeclaringType()); break;
                case HandleKind.MethodSpecification:
                    var ms = _md.GetMethodSpecification((MethodSpecificationHandle)h);
                    Entity(ms.Method);
                    ms.DecodeSignature(this, null);
                    break;
                case HandleKind.MemberReference:
                    var mr = _md.GetMemberReference((MemberReferenceHandle)h);
                    Entity(mr.Parent);
                    if (mr.GetKind() == MemberReferenceKind.Method) mr.DecodeMethodSignature(this, null);
                    else mr.DecodeFieldSignature(this, null);
                    break;
            }
        }

        /// <summary>Operand type of every IL opcode, keyed by its (one- or two-byte) value.</summary>
        static readonly Dictionary<int, OperandType> Operands = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(o => (int)(ushort)o.Value, o => o.OperandType);

        public object? GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            _used.Add(handle);
            return null;
        }

        public object? GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public object? GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => null;
        public object? GetPrimitiveType(PrimitiveTypeCode typeCode) => null;
        public object? GetSZArrayType(object? elementType) => null;
        public object? GetArrayType(object? elementType, ArrayShape shape) => null;
        public object? GetByReferenceType(object? elementType) => null;
        public object? GetPointerType(object? elementType) => null;
        public object? GetPinnedType(object? elementType) => null;
        public object? GetGenericInstantiation(object? genericType, ImmutableArray<object?> typeArguments) => null;
        public object? GetGenericMethodParameter(object? genericContext, int index) => null;
        public object? GetGenericTypeParameter(object? genericContext, int index) => null;
        public object? GetFunctionPointerType(MethodSignature<object?> signature) => null;
        public object? GetModifiedType(object? modifier, object? unmodifiedType, bool isRequired) => null;
    }
}

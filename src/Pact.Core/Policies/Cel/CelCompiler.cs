namespace Pact.Core.Policies.Cel;

/// <summary>An expression outside the profile or ill-typed: refused at compile (publication) time.</summary>
public sealed class CelCheckException(string message, int position) : Exception($"{message} (at {position})")
{
    public int Position { get; } = position;
}

internal delegate object? CelEval(object?[] frame);

/// <summary>A checked, compiled expression. <see cref="Evaluate"/> never throws for a CEL error: it returns a <see cref="CelError"/>.</summary>
public sealed class CelProgram
{
    private readonly CelEval _root;
    private readonly int _frameSize;

    internal CelProgram(CelEval root, int frameSize, CelType resultType)
    {
        _root = root;
        _frameSize = frameSize;
        ResultType = resultType;
    }

    /// <summary>The static type of the result (Dyn when only known at run time).</summary>
    public CelType ResultType { get; }

    /// <summary>
    /// Runs the program on the variables' values, given in the order of the environment's declarations, charging
    /// <paramref name="budget"/> (shared by a decision's rules; a fresh <see cref="CelCostBudget.StepsPerDecision"/>
    /// when none is given). A spent budget makes the result its error.
    /// </summary>
    public object? Evaluate(ReadOnlySpan<object?> variables, CelCostBudget? budget = null)
    {
        budget ??= new CelCostBudget(CelCostBudget.StepsPerDecision);
        var frame = new object?[_frameSize + 1];
        variables.CopyTo(frame);
        frame[^1] = budget;
        try
        {
            var result = _root(frame);
            return budget.Exceeded ?? result;
        }
        catch (InsufficientExecutionStackException)
        {
            return new CelError("expression too deeply nested");
        }
    }
}

/// <summary>The variables (in slot order, with static types) and functions a program may use.</summary>
public sealed record CelEnvironment(IReadOnlyList<(string Name, CelType Type)> Variables, CelFunctionSet Functions)
{
    /// <summary>Parses, checks and compiles: a syntax error or anything outside the profile throws.</summary>
    /// <param name="staticTypes">false treats every literal as dyn, leaving type mismatches to run time (cel-spec's
    /// "disable_check" conformance cases); functions and variables outside the profile are refused either way.</param>
    public CelProgram Compile(string source, bool staticTypes = true)
    {
        var ast = CelParser.Parse(source);
        var compiler = new CelCompiler(this, staticTypes);
        var (root, type) = compiler.Compile(ast);
        return new CelProgram(root, compiler.FrameSize, type);
    }
}

/// <summary>
/// Checks an expression against §13's profile while compiling it to closures over a slot frame: the input variables
/// take the first slots, each comprehension variable the next free one. Statically known operand types must fit an
/// overload (cel-spec's checker); everything else is checked at run time, where a mismatch is an error value.
/// </summary>
internal sealed class CelCompiler(CelEnvironment environment, bool staticTypes)
{
    private readonly List<(string Name, int Slot)> _scopes = [];
    private int _nextSlot = environment.Variables.Count;

    public int FrameSize { get; private set; } = environment.Variables.Count;

    public (CelEval Eval, CelType Type) Compile(CelNode node)
    {
        var (eval, type) = CompileNode(node);
        return (eval, staticTypes ? type : CelType.Dyn);
    }

    private (CelEval Eval, CelType Type) CompileNode(CelNode node)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        return node switch
        {
            CelLiteral literal => Literal(literal),
            CelIdent ident => Ident(ident),
            CelSelect select => Select(select),
            CelIndex index => Index(index),
            CelUnary unary => Unary(unary),
            CelBinary binary => Binary(binary),
            CelConditional conditional => Conditional(conditional),
            CelCall call => Call(call),
            CelList list => List(list),
            CelMapLiteral map => MapLiteral(map),
            CelComprehension comprehension => Comprehension(comprehension),
            CelMessage message => throw new CelCheckException($"message construction '{message.TypeName}{{…}}' is not in the policy profile", message.Position),
            _ => throw new CelCheckException("unsupported expression", node.Position),
        };
    }

    private (CelEval, CelType) Literal(CelLiteral literal)
    {
        if (literal.TypeName is "double" or "uint" or "bytes")
            throw new CelCheckException($"{literal.TypeName} values are not in the policy profile (JSON numbers are ints)", literal.Position);
        var value = literal.Value is bool b ? CelValues.Bool(b) : literal.Value;
        return (_ => value, staticTypes ? CelFunctionSet.TypeOf(value) : CelType.Dyn);
    }

    private (CelEval, CelType) Ident(CelIdent ident)
    {
        for (var i = _scopes.Count - 1; i >= 0; i--)
        {
            if (_scopes[i].Name != ident.Name) continue;
            var local = _scopes[i].Slot;
            return (frame => frame[local], CelType.Dyn);
        }
        for (var slot = 0; slot < environment.Variables.Count; slot++)
        {
            if (environment.Variables[slot].Name != ident.Name) continue;
            var global = slot;
            return (frame => frame[global], environment.Variables[slot].Type);
        }
        throw new CelCheckException($"undeclared reference to '{ident.Name}'", ident.Position);
    }

    private (CelEval, CelType) Select(CelSelect select)
    {
        var (operand, type) = Compile(select.Operand);
        if (type is not (CelType.Dyn or CelType.Map))
            throw new CelCheckException($"type '{type}' does not support field selection", select.Position);
        var field = select.Field;
        var describe = Describe(select);
        return select.TestOnly
            ? (frame => CelOperators.Has(operand(frame), field, describe), CelType.Bool)
            : (frame => CelOperators.Select(operand(frame), field, describe), CelType.Dyn);
    }

    private (CelEval, CelType) Index(CelIndex index)
    {
        var (operand, type) = Compile(index.Operand);
        var (key, keyType) = Compile(index.Index);
        if (type is not (CelType.Dyn or CelType.List or CelType.Map))
            throw new CelCheckException($"type '{type}' cannot be indexed", index.Position);
        if (type == CelType.List && keyType is not (CelType.Dyn or CelType.Int))
            throw new CelCheckException("a list index must be an int", index.Position);
        var describe = Describe(index);
        return (frame => CelOperators.Index(operand(frame), key(frame), describe), CelType.Dyn);
    }

    private (CelEval, CelType) Unary(CelUnary unary)
    {
        var (operand, type) = Compile(unary.Operand);
        if (unary.Operator == "!")
        {
            Require(type, unary.Position, "!", CelType.Bool);
            return (frame => CelOperators.Not(operand(frame)), CelType.Bool);
        }
        Require(type, unary.Position, "-", CelType.Int);
        return (frame => CelOperators.Negate(operand(frame)), CelType.Int);
    }

    private (CelEval, CelType) Binary(CelBinary binary)
    {
        var (left, lt) = Compile(binary.Left);
        var (right, rt) = Compile(binary.Right);
        var op = binary.Operator;
        switch (op)
        {
            case "&&":
                Require(lt, binary.Position, op, CelType.Bool);
                Require(rt, binary.Position, op, CelType.Bool);
                return (frame => Logical(left(frame), right, frame, decisive: false), CelType.Bool);
            case "||":
                Require(lt, binary.Position, op, CelType.Bool);
                Require(rt, binary.Position, op, CelType.Bool);
                return (frame => Logical(left(frame), right, frame, decisive: true), CelType.Bool);
            case "==" or "!=":
                if (lt != CelType.Dyn && rt != CelType.Dyn && lt != rt)
                    throw new CelCheckException($"no matching overload for '{op}' applied to ({lt}, {rt})", binary.Position);
                return op == "=="
                    ? (frame => CelOperators.Equal(left(frame), right(frame)), CelType.Bool)
                    : (frame => CelOperators.NotEqual(left(frame), right(frame)), CelType.Bool);
            case "<" or "<=" or ">" or ">=":
                CheckOverload(op, binary.Position, lt, rt, Orderable);
                Func<int, bool> test = op switch { "<" => s => s < 0, "<=" => s => s <= 0, ">" => s => s > 0, _ => s => s >= 0 };
                return (frame => CelOperators.Relation(op, left(frame), right(frame), test), CelType.Bool);
            case "in":
                if (rt is not (CelType.Dyn or CelType.List or CelType.Map))
                    throw new CelCheckException($"no matching overload for 'in' applied to ({lt}, {rt})", binary.Position);
                return (frame =>
                {
                    var element = left(frame);
                    var container = right(frame);
                    return container is IReadOnlyList<object?> list && CelCostBudget.Charge(frame, list.Count) is { } over
                        ? over
                        : CelOperators.In(element, container);
                }, CelType.Bool);
            default:
                return Arithmetic(op, binary.Position, left, lt, right, rt);
        }
    }

    private static readonly (CelType, CelType, CelType)[] Orderable =
    [
        (CelType.Int, CelType.Int, CelType.Bool), (CelType.String, CelType.String, CelType.Bool), (CelType.Bool, CelType.Bool, CelType.Bool),
        (CelType.Timestamp, CelType.Timestamp, CelType.Bool), (CelType.Duration, CelType.Duration, CelType.Bool),
    ];

    private static readonly Dictionary<string, (CelType, CelType, CelType)[]> ArithmeticOverloads = new()
    {
        ["+"] = [(CelType.Int, CelType.Int, CelType.Int), (CelType.String, CelType.String, CelType.String),
                 (CelType.Timestamp, CelType.Duration, CelType.Timestamp), (CelType.Duration, CelType.Timestamp, CelType.Timestamp),
                 (CelType.Duration, CelType.Duration, CelType.Duration)],
        ["-"] = [(CelType.Int, CelType.Int, CelType.Int), (CelType.Timestamp, CelType.Timestamp, CelType.Duration),
                 (CelType.Timestamp, CelType.Duration, CelType.Timestamp), (CelType.Duration, CelType.Duration, CelType.Duration)],
        ["*"] = [(CelType.Int, CelType.Int, CelType.Int)],
        ["/"] = [(CelType.Int, CelType.Int, CelType.Int)],
        ["%"] = [(CelType.Int, CelType.Int, CelType.Int)],
    };

    private static (CelEval, CelType) Arithmetic(string op, int position, CelEval left, CelType lt, CelEval right, CelType rt)
    {
        var result = CheckOverload(op, position, lt, rt, ArithmeticOverloads[op]);
        Func<object?, object?, object?> apply = op switch
        {
            "+" => CelOperators.Add,
            "-" => CelOperators.Subtract,
            "*" => CelOperators.Multiply,
            "/" => CelOperators.Divide,
            _ => CelOperators.Modulo,
        };
        // A concatenation costs what it builds.
        return (frame =>
        {
            var value = apply(left(frame), right(frame));
            return CelCostBudget.Charge(frame, CelCostBudget.SizeOf(value)) ?? value;
        }, result);
    }

    /// <summary>The result type of the overloads the operand types allow; none allowed is a check error.</summary>
    private static CelType CheckOverload(string op, int position, CelType lt, CelType rt, (CelType L, CelType R, CelType Result)[] overloads)
    {
        var fitting = overloads.Where(o => Fits(lt, o.L) && Fits(rt, o.R)).Select(o => o.Result).Distinct().ToList();
        if (fitting.Count == 0) throw new CelCheckException($"no matching overload for '{op}' applied to ({lt}, {rt})", position);
        return fitting.Count == 1 ? fitting[0] : CelType.Dyn;
    }

    private static bool Fits(CelType actual, CelType wanted) => actual == CelType.Dyn || actual == wanted;

    private static void Require(CelType actual, int position, string op, CelType wanted)
    {
        if (!Fits(actual, wanted)) throw new CelCheckException($"no matching overload for '{op}' applied to {actual}", position);
    }

    /// <summary>
    /// cel-spec's commutative <c>&amp;&amp;</c> (decisive = false) and <c>||</c> (decisive = true): the decisive value
    /// wins over an error on either side; otherwise an error, then a non-bool, is the answer.
    /// </summary>
    private static object? Logical(object? left, CelEval rightEval, object?[] frame, bool decisive)
    {
        if (left is bool l && l == decisive) return CelValues.Bool(decisive);
        var right = rightEval(frame);
        if (right is bool r && r == decisive) return CelValues.Bool(decisive);
        if (left is CelError) return left;
        if (right is CelError) return right;
        if (left is not bool) return CelOperators.NoOverload(decisive ? "||" : "&&", left, right);
        if (right is not bool) return CelOperators.NoOverload(decisive ? "||" : "&&", left, right);
        return CelValues.Bool(!decisive);
    }

    private (CelEval, CelType) Conditional(CelConditional conditional)
    {
        var (condition, ct) = Compile(conditional.Condition);
        Require(ct, conditional.Position, "?:", CelType.Bool);
        var (then, tt) = Compile(conditional.Then);
        var (otherwise, et) = Compile(conditional.Else);
        return (frame => condition(frame) switch
        {
            bool b => b ? then(frame) : otherwise(frame),
            CelError e => e,
            var other => CelOperators.NoOverload("?:", other),
        }, tt == et ? tt : CelType.Dyn);
    }

    private (CelEval, CelType) Call(CelCall call)
    {
        var overloads = call.Target is null ? environment.Functions.FindGlobal(call.Function) : environment.Functions.FindMember(call.Function);
        if (overloads is null)
        {
            var form = call.Target is null ? $"{call.Function}()" : $".{call.Function}()";
            throw new CelCheckException($"function '{form}' is not in the policy profile", call.Position);
        }
        var argNodes = call.Target is null ? call.Args : [call.Target, .. call.Args];
        var compiled = argNodes.Select(Compile).ToArray();
        var candidates = overloads
            .Where(o => o.Args.Count == compiled.Length && o.Args.Zip(compiled).All(p => Fits(p.Second.Type, p.First)))
            .ToArray();
        if (candidates.Length == 0)
        {
            var types = string.Join(", ", compiled.Select(c => c.Type));
            throw new CelCheckException($"no matching overload for '{call.Function}' applied to ({types})", call.Position);
        }
        if (call.Function == "matches" && argNodes[1] is CelLiteral { Value: string pattern } && CelRegex.TryCompile(pattern, out var regexError) is null)
            throw new CelCheckException(regexError!, argNodes[1].Position);
        // A literal finer than 100 ns would only ever be an error at run time: refused where it is written.
        if (call.Function is "duration" or "timestamp" && argNodes is [CelLiteral { Value: string text } literal]
            && (call.Function == "duration" ? CelTime.ParseDuration(text) : CelTime.ParseTimestamp(text)) is CelError { Message: var message }
            && message == CelTime.TooFine(text, call.Function))
            throw new CelCheckException(message, literal.Position);
        var args = compiled.Select(c => c.Eval).ToArray();
        var results = candidates.Select(c => c.Result).Distinct().ToArray();
        var name = call.Function;
        return (frame => Invoke(name, candidates, args, frame), results.Length == 1 ? results[0] : CelType.Dyn);
    }

    private static object? Invoke(string name, CelOverload[] candidates, CelEval[] args, object?[] frame)
    {
        if (CelCostBudget.Charge(frame, 1) is { } spent) return spent;
        var values = new object?[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            values[i] = args[i](frame);
            if (values[i] is CelError) return values[i];
        }
        foreach (var overload in candidates)
        {
            var fits = true;
            for (var i = 0; i < values.Length && fits; i++) fits = CelFunctionSet.HasType(values[i], overload.Args[i]);
            if (!fits) continue;
            // A call costs one step plus what it scans (string or list arguments) and builds.
            var result = overload.Body(values);
            var size = CelCostBudget.SizeOf(result);
            foreach (var value in values) size += CelCostBudget.SizeOf(value);
            return CelCostBudget.Charge(frame, size) ?? result;
        }
        return new CelError($"no such overload: {name}({string.Join(", ", values.Select(CelValues.TypeName))})");
    }

    private (CelEval, CelType) List(CelList list)
    {
        var elements = list.Elements.Select(e => Compile(e).Eval).ToArray();
        return (frame =>
        {
            if (CelCostBudget.Charge(frame, elements.Length) is { } over) return over;
            var values = new object?[elements.Length];
            for (var i = 0; i < elements.Length; i++)
            {
                values[i] = elements[i](frame);
                if (values[i] is CelError) return values[i];
            }
            return values;
        }, staticTypes ? CelType.List : CelType.Dyn);
    }

    private (CelEval, CelType) MapLiteral(CelMapLiteral map)
    {
        var entries = map.Entries.Select(e =>
        {
            var (key, keyType) = Compile(e.Key);
            if (keyType is not (CelType.Dyn or CelType.Int or CelType.String or CelType.Bool))
                throw new CelCheckException($"a map key must be an int, string or bool, not {keyType}", e.Key.Position);
            return (Key: key, Value: Compile(e.Value).Eval);
        }).ToArray();
        return (frame =>
        {
            if (CelCostBudget.Charge(frame, entries.Length) is { } over) return over;
            var pairs = new List<KeyValuePair<object, object?>>(entries.Length);
            foreach (var (keyEval, valueEval) in entries)
            {
                var key = keyEval(frame);
                if (key is CelError) return key;
                if (key is not (long or string or bool)) return new CelError($"unsupported map key type: {CelValues.TypeName(key)}");
                if (pairs.Any(p => CelKeyComparer.Instance.Equals(p.Key, key))) return new CelError($"duplicate map key: {CelValues.Describe(key)}");
                var value = valueEval(frame);
                if (value is CelError) return value;
                pairs.Add(new(key, value));
            }
            return new CelMap(pairs);
        }, staticTypes ? CelType.Map : CelType.Dyn);
    }

    private (CelEval, CelType) Comprehension(CelComprehension c)
    {
        var (range, rangeType) = Compile(c.Range);
        if (rangeType is not (CelType.Dyn or CelType.List or CelType.Map))
            throw new CelCheckException($"{c.Macro}() applies to a list or a map, not {rangeType}", c.Position);
        if (environment.Variables.Any(v => v.Name == c.Variable))
            throw new CelCheckException($"the {c.Macro}() variable '{c.Variable}' hides an input variable", c.Position);
        var slot = _nextSlot++;
        FrameSize = Math.Max(FrameSize, _nextSlot);
        _scopes.Add((c.Variable, slot));
        CelEval? predicate = null;
        CelEval? transform = null;
        if (c.Predicate is not null)
        {
            var (p, pt) = Compile(c.Predicate);
            Require(pt, c.Predicate.Position, c.Macro, CelType.Bool);
            predicate = p;
        }
        if (c.Transform is not null) transform = Compile(c.Transform).Eval;
        _scopes.RemoveAt(_scopes.Count - 1);
        _nextSlot--;
        var macro = c.Macro;
        var type = macro is "map" or "filter" ? CelType.List : CelType.Bool;
        return (frame => CelComprehensions.Run(macro, range(frame), slot, predicate, transform, frame), type);
    }

    /// <summary>The source-like path of a selection or index, for error messages ("terms.upstream[0]").</summary>
    private static string Describe(CelNode node) => node switch
    {
        CelIdent i => i.Name,
        CelSelect s => $"{Describe(s.Operand)}.{s.Field}",
        CelIndex x => $"{Describe(x.Operand)}[{Describe(x.Index)}]",
        CelLiteral { Value: string s } => $"'{s}'",
        CelLiteral l => CelValues.Describe(l.Value),
        _ => "…",
    };
}

namespace Pact.Core.Policies.Cel;

/// <summary>A node of a parsed CEL expression; <see cref="Position"/> is its offset in the source (for messages).</summary>
public abstract record CelNode(int Position);

/// <summary>A literal: int (<c>long</c>), string, bool, null — or a refused double, uint or bytes literal (kept to be named by the checker).</summary>
public sealed record CelLiteral(int Position, object? Value, string TypeName) : CelNode(Position);

public sealed record CelIdent(int Position, string Name) : CelNode(Position);

/// <summary><c>operand.field</c>; with <see cref="TestOnly"/>, the <c>has(operand.field)</c> macro.</summary>
public sealed record CelSelect(int Position, CelNode Operand, string Field, bool TestOnly) : CelNode(Position);

public sealed record CelIndex(int Position, CelNode Operand, CelNode Index) : CelNode(Position);

/// <summary><c>!x</c> or <c>-x</c>.</summary>
public sealed record CelUnary(int Position, string Operator, CelNode Operand) : CelNode(Position);

/// <summary>A binary operator: arithmetic, relations, <c>in</c>, <c>&amp;&amp;</c>, <c>||</c>.</summary>
public sealed record CelBinary(int Position, string Operator, CelNode Left, CelNode Right) : CelNode(Position);

public sealed record CelConditional(int Position, CelNode Condition, CelNode Then, CelNode Else) : CelNode(Position);

/// <summary>A function call <c>name(args)</c>, or a method-style call <c>target.name(args)</c>.</summary>
public sealed record CelCall(int Position, CelNode? Target, string Function, IReadOnlyList<CelNode> Args) : CelNode(Position);

public sealed record CelList(int Position, IReadOnlyList<CelNode> Elements) : CelNode(Position);

public sealed record CelMapLiteral(int Position, IReadOnlyList<(CelNode Key, CelNode Value)> Entries) : CelNode(Position);

/// <summary>A message construction <c>Name{…}</c>: parsed only so the checker can refuse it by name.</summary>
public sealed record CelMessage(int Position, string TypeName) : CelNode(Position);

/// <summary>
/// A comprehension macro over a list's elements or a map's keys: <c>all</c>, <c>exists</c>, <c>exists_one</c>,
/// <c>map</c> (with an optional filter) and <c>filter</c>.
/// </summary>
public sealed record CelComprehension(int Position, string Macro, CelNode Range, string Variable, CelNode? Predicate, CelNode? Transform)
    : CelNode(Position);

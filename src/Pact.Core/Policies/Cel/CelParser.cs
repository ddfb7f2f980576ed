namespace Pact.Core.Policies.Cel;

/// <summary>
/// Recursive-descent parser for cel-spec's grammar (langdef.md, "Syntax"), expanding the standard macros
/// (<c>has</c>, <c>all</c>, <c>exists</c>, <c>exists_one</c>, <c>map</c>, <c>filter</c>) as cel-go's parser does.
/// </summary>
public sealed class CelParser
{
    private static readonly HashSet<string> Reserved =
    [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package",
        "namespace", "return", "var", "void", "while",
    ];

    private readonly List<Token> _tokens;
    private int _next;

    private CelParser(List<Token> tokens) => _tokens = tokens;

    /// <summary>Parses one expression; a syntax error throws <see cref="CelSyntaxException"/>.</summary>
    public static CelNode Parse(string source)
    {
        var parser = new CelParser(CelLexer.Tokenize(source));
        var expr = parser.Expr();
        if (parser.Peek.Kind != TokenKind.End) throw new CelSyntaxException($"unexpected '{parser.Peek.Text}'", parser.Peek.Position);
        return expr;
    }

    /// <summary>The deepest nesting of parentheses, brackets and braces outside string literals (§13 allows 32).</summary>
    public static int NestingDepth(string source)
    {
        int depth = 0, max = 0;
        foreach (var token in CelLexer.Tokenize(source))
        {
            if (token.Kind != TokenKind.Punct) continue;
            if (token.Text is "(" or "[" or "{") max = Math.Max(max, ++depth);
            else if (token.Text is ")" or "]" or "}") depth--;
        }
        return max;
    }

    private Token Peek => _tokens[_next];

    private bool IsPunct(string text) => Peek.Kind == TokenKind.Punct && Peek.Text == text;

    private bool Accept(string text)
    {
        if (!IsPunct(text)) return false;
        _next++;
        return true;
    }

    private Token Expect(string text)
    {
        if (!IsPunct(text)) throw new CelSyntaxException($"expected '{text}' but found '{(Peek.Kind == TokenKind.End ? "end of input" : Peek.Text)}'", Peek.Position);
        return _tokens[_next++];
    }

    private CelNode Expr()
    {
        var condition = Or();
        if (!IsPunct("?")) return condition;
        var at = _tokens[_next++].Position;
        var then = Or();
        Expect(":");
        var otherwise = Expr();
        return new CelConditional(at, condition, then, otherwise);
    }

    private CelNode Or()
    {
        var left = And();
        while (IsPunct("||"))
        {
            var at = _tokens[_next++].Position;
            left = new CelBinary(at, "||", left, And());
        }
        return left;
    }

    private CelNode And()
    {
        var left = Relation();
        while (IsPunct("&&"))
        {
            var at = _tokens[_next++].Position;
            left = new CelBinary(at, "&&", left, Relation());
        }
        return left;
    }

    private CelNode Relation()
    {
        var left = Addition();
        while (Peek is { Kind: TokenKind.Punct, Text: "<" or "<=" or ">" or ">=" or "==" or "!=" } || Peek is { Kind: TokenKind.Ident, Text: "in" })
        {
            var op = _tokens[_next++];
            left = new CelBinary(op.Position, op.Text, left, Addition());
        }
        return left;
    }

    private CelNode Addition()
    {
        var left = Multiplication();
        while (Peek is { Kind: TokenKind.Punct, Text: "+" or "-" })
        {
            var op = _tokens[_next++];
            left = new CelBinary(op.Position, op.Text, left, Multiplication());
        }
        return left;
    }

    private CelNode Multiplication()
    {
        var left = Unary();
        while (Peek is { Kind: TokenKind.Punct, Text: "*" or "/" or "%" })
        {
            var op = _tokens[_next++];
            left = new CelBinary(op.Position, op.Text, left, Unary());
        }
        return left;
    }

    private CelNode Unary()
    {
        if (IsPunct("!"))
        {
            var at = _tokens[_next++].Position;
            return new CelUnary(at, "!", Unary());
        }
        if (IsPunct("-"))
        {
            var at = _tokens[_next++].Position;
            // A negative integer literal is one literal, so -9223372036854775808 is in range (cel-spec).
            if (Peek.Kind == TokenKind.Int && Peek.Value is ulong magnitude && !FollowedByMember())
            {
                _next++;
                if (magnitude > 9223372036854775808UL) throw new CelSyntaxException("integer literal out of range", at);
                var negative = magnitude == 9223372036854775808UL ? long.MinValue : -(long)magnitude;
                return Member(new CelLiteral(at, negative, "int"));
            }
            return new CelUnary(at, "-", Unary());
        }
        return Member(Primary());
    }

    private bool FollowedByMember()
    {
        var after = _tokens[_next + 1];
        return after.Kind == TokenKind.Punct && after.Text is "." or "[";
    }

    private CelNode Member(CelNode operand)
    {
        while (true)
        {
            if (IsPunct("."))
            {
                var dot = _tokens[_next++];
                var name = Identifier(selector: true);
                if (IsPunct("("))
                {
                    _next++;
                    var args = ExprList(")");
                    operand = MemberCall(dot.Position, operand, name, args);
                }
                else
                {
                    operand = new CelSelect(dot.Position, operand, name, TestOnly: false);
                }
            }
            else if (IsPunct("["))
            {
                var at = _tokens[_next++].Position;
                var index = Expr();
                Expect("]");
                operand = new CelIndex(at, operand, index);
            }
            else
            {
                return operand;
            }
        }
    }

    private CelNode Primary()
    {
        var token = Peek;
        switch (token.Kind)
        {
            case TokenKind.Int:
                _next++;
                if ((ulong)token.Value! > long.MaxValue) throw new CelSyntaxException("integer literal out of range", token.Position);
                return new CelLiteral(token.Position, (long)(ulong)token.Value!, "int");
            case TokenKind.Uint: _next++; return new CelLiteral(token.Position, null, "uint");
            case TokenKind.Double: _next++; return new CelLiteral(token.Position, null, "double");
            case TokenKind.Bytes: _next++; return new CelLiteral(token.Position, null, "bytes");
            case TokenKind.String: _next++; return new CelLiteral(token.Position, (string)token.Value!, "string");
            case TokenKind.Ident:
                switch (token.Text)
                {
                    case "true": _next++; return new CelLiteral(token.Position, true, "bool");
                    case "false": _next++; return new CelLiteral(token.Position, false, "bool");
                    case "null": _next++; return new CelLiteral(token.Position, null, "null");
                }
                var name = Identifier();
                if (IsPunct("("))
                {
                    _next++;
                    return GlobalCall(token.Position, name, ExprList(")"));
                }
                if (IsPunct("{")) return Message(token.Position, name);
                return new CelIdent(token.Position, name);
            case TokenKind.Punct:
                _next++;
                switch (token.Text)
                {
                    case "(":
                        var inner = Expr();
                        Expect(")");
                        return inner;
                    case "[":
                        return new CelList(token.Position, ExprList("]"));
                    case "{":
                        return MapLiteral(token.Position);
                    case ".":
                        throw new CelSyntaxException("a leading '.' (root-scope name) is not in the profile", token.Position);
                }
                break;
        }
        throw new CelSyntaxException(token.Kind == TokenKind.End ? "unexpected end of input" : $"unexpected '{token.Text}'", token.Position);
    }

    // Reserved words may follow a dot (a field or receiver-function name), never stand alone (cel-spec parse tests).
    private string Identifier(bool selector = false)
    {
        var token = Peek;
        if (token.Kind != TokenKind.Ident || token.Text is "true" or "false" or "null" or "in")
            throw new CelSyntaxException($"expected an identifier but found '{(token.Kind == TokenKind.End ? "end of input" : token.Text)}'", token.Position);
        if (!selector && Reserved.Contains(token.Text)) throw new CelSyntaxException($"reserved identifier '{token.Text}'", token.Position);
        _next++;
        return token.Text;
    }

    private List<CelNode> ExprList(string close)
    {
        var items = new List<CelNode>();
        if (Accept(close)) return items;
        while (true)
        {
            items.Add(Expr());
            if (Accept(close)) return items;
            Expect(",");
            // A trailing comma is allowed in list literals (cel-spec), not in argument lists.
            if (close == "]" && Accept(close)) return items;
        }
    }

    private CelMapLiteral MapLiteral(int at)
    {
        var entries = new List<(CelNode, CelNode)>();
        if (Accept("}")) return new CelMapLiteral(at, entries);
        while (true)
        {
            var key = Expr();
            Expect(":");
            entries.Add((key, Expr()));
            if (Accept("}")) return new CelMapLiteral(at, entries);
            Expect(",");
            if (Accept("}")) return new CelMapLiteral(at, entries);
        }
    }

    private CelMessage Message(int at, string name)
    {
        // Skip the field initializers: the checker refuses message construction by name.
        var depth = 0;
        do
        {
            var token = _tokens[_next++];
            if (token.Kind == TokenKind.End) throw new CelSyntaxException("unterminated message construction", at);
            if (token.Kind == TokenKind.Punct && token.Text == "{") depth++;
            if (token.Kind == TokenKind.Punct && token.Text == "}") depth--;
        } while (depth > 0);
        return new CelMessage(at, name);
    }

    private static CelNode GlobalCall(int at, string name, List<CelNode> args)
    {
        if (name != "has" || args.Count != 1) return new CelCall(at, null, name, args);
        return args[0] is CelSelect select
            ? new CelSelect(select.Position, select.Operand, select.Field, TestOnly: true)
            : throw new CelSyntaxException("has() needs a field selection such as has(a.b)", at);
    }

    private static CelNode MemberCall(int at, CelNode target, string name, List<CelNode> args)
    {
        switch (name, args.Count)
        {
            case ("all" or "exists" or "exists_one" or "filter", 2):
                return new CelComprehension(at, name, target, MacroVariable(args[0], name), args[1], null);
            case ("map", 2):
                return new CelComprehension(at, "map", target, MacroVariable(args[0], name), null, args[1]);
            case ("map", 3):
                return new CelComprehension(at, "map", target, MacroVariable(args[0], name), args[1], args[2]);
            default:
                return new CelCall(at, target, name, args);
        }
    }

    private static string MacroVariable(CelNode node, string macro) =>
        node is CelIdent ident ? ident.Name : throw new CelSyntaxException($"{macro}() needs a variable name as its first argument", node.Position);
}

using System.Text;
using MetricsCluster.Ruler.Templating.Exec;

namespace MetricsCluster.Ruler.Templating.Go;

/// <summary>
/// Go's <c>fmt</c> printer (print.go) over <see cref="GoValue"/>s: <c>Sprint</c>, <c>Sprintln</c> and <c>Sprintf</c> with
/// Go's verbs, flags, width, precision, argument indexes and error forms (<c>%!d(string=x)</c>, <c>%!d(MISSING)</c>,
/// <c>%!(EXTRA int=1)</c>). A printer is single-use.
/// </summary>
internal sealed partial class GoFmt
{
    // Go prints a pointer nested in a value as its address, which differs from run to run; a fixed stand-in keeps
    // our output deterministic (it cannot equal Go's anyway).
    private const ulong FakeAddress = 0xc000010000;

    private readonly StringBuilder _buf = new();

    // The operand being printed, for badVerb: _arg when it came in as an argument, _value when reached by reflection.
    private GoValue? _arg;
    private GoValue? _value;
    private bool _erroring;
    private bool _reordered;
    private bool _goodArgNum;

    /// <summary>Go's <c>fmt.Sprint</c>: operands in their default format, spaces between operands when neither is a string.</summary>
    public static string Sprint(IReadOnlyList<GoValue> a)
    {
        var p = new GoFmt();
        bool prevString = false;
        for (int i = 0; i < a.Count; i++)
        {
            bool isString = a[i].Kind == GoKind.String;
            if (i > 0 && !isString && !prevString)
            {
                p._buf.Append(' ');
            }

            p.PrintArg(a[i], 'v');
            prevString = isString;
        }

        return p._buf.ToString();
    }

    /// <summary>Go's <c>fmt.Sprintln</c>: spaces between all operands and a newline.</summary>
    public static string Sprintln(IReadOnlyList<GoValue> a)
    {
        var p = new GoFmt();
        for (int i = 0; i < a.Count; i++)
        {
            if (i > 0)
            {
                p._buf.Append(' ');
            }

            p.PrintArg(a[i], 'v');
        }

        return p._buf.Append('\n').ToString();
    }

    /// <summary>Go's <c>fmt.Sprintf</c>.</summary>
    public static string Sprintf(string format, IReadOnlyList<GoValue> a)
    {
        var p = new GoFmt();
        p.DoPrintf(format, a);
        return p._buf.ToString();
    }

    /// <summary><see cref="Sprintf(string, IReadOnlyList{GoValue})"/> with .NET strings and integers as Go strings and ints.</summary>
    public static string Sprintf(string format, params object[] args) =>
        Sprintf(format, args.Select(o => o switch
        {
            GoValue v => v,
            string s => GoValue.String(s),
            int n => GoValue.Int(n),
            long n => GoValue.Int(n),
            double d => GoValue.Float(d),
            _ => throw new ArgumentException("unsupported argument " + o.GetType()),
        }).ToArray());

    private void DoPrintf(string format, IReadOnlyList<GoValue> a)
    {
        int end = format.Length;
        int argNum = 0;
        bool afterIndex = false;
        _reordered = false;
        for (int i = 0; i < end;)
        {
            _goodArgNum = true;
            int lasti = i;
            while (i < end && format[i] != '%')
            {
                i++;
            }

            if (i > lasti)
            {
                _buf.Append(format, lasti, i - lasti);
            }

            if (i >= end)
            {
                break;
            }

            i++;
            ClearFlags();
            bool printed = false;
            for (; i < end; i++)
            {
                char c = format[i];
                if (c == '#')
                {
                    _sharp = true;
                }
                else if (c == '0')
                {
                    _zero = !_minus; // Only allow zero padding to the left.
                }
                else if (c == '+')
                {
                    _plus = true;
                }
                else if (c == '-')
                {
                    _minus = true;
                    _zero = false;
                }
                else if (c == ' ')
                {
                    _space = true;
                }
                else
                {
                    // Fast path for the common case of an ASCII verb without width, precision or index.
                    if (c is >= 'a' and <= 'z' && argNum < a.Count)
                    {
                        if (c == 'v')
                        {
                            (_sharpV, _sharp, _plusV, _plus) = (_sharp, false, _plus, false);
                        }

                        PrintArg(a[argNum], c);
                        argNum++;
                        i++;
                        printed = true;
                    }

                    break;
                }
            }

            if (printed)
            {
                continue;
            }

            (argNum, i, afterIndex) = ArgNumber(argNum, format, i, a.Count);
            if (i < end && format[i] == '*')
            {
                i++;
                (_wid, _widPresent, argNum) = IntFromArg(a, argNum);
                if (!_widPresent)
                {
                    _buf.Append("%!(BADWIDTH)");
                }

                if (_wid < 0)
                {
                    _wid = -_wid;
                    _minus = true;
                    _zero = false;
                }

                afterIndex = false;
            }
            else
            {
                (_wid, _widPresent, i) = ParseNum(format, i, end);
                if (afterIndex && _widPresent)
                {
                    _goodArgNum = false; // "%[3]2d"
                }
            }

            if (i + 1 < end && format[i] == '.')
            {
                i++;
                if (afterIndex)
                {
                    _goodArgNum = false; // "%[3].2d"
                }

                (argNum, i, afterIndex) = ArgNumber(argNum, format, i, a.Count);
                if (i < end && format[i] == '*')
                {
                    i++;
                    (_prec, _precPresent, argNum) = IntFromArg(a, argNum);
                    if (_prec < 0)
                    {
                        _prec = 0;
                        _precPresent = false;
                    }

                    if (!_precPresent)
                    {
                        _buf.Append("%!(BADPREC)");
                    }

                    afterIndex = false;
                }
                else
                {
                    (_prec, _precPresent, i) = ParseNum(format, i, end);
                    if (!_precPresent)
                    {
                        _prec = 0;
                        _precPresent = true;
                    }
                }
            }

            if (!afterIndex)
            {
                (argNum, i, afterIndex) = ArgNumber(argNum, format, i, a.Count);
            }

            if (i >= end)
            {
                _buf.Append("%!(NOVERB)");
                break;
            }

            int verb = GoText.RuneAt(format, i, out int size);
            i += size;
            if (verb == '%')
            {
                _buf.Append('%'); // Percent does not absorb operands and ignores width and precision.
            }
            else if (!_goodArgNum)
            {
                _buf.Append("%!").Append(char.ConvertFromUtf32(verb)).Append("(BADINDEX)");
            }
            else if (argNum >= a.Count)
            {
                _buf.Append("%!").Append(char.ConvertFromUtf32(verb)).Append("(MISSING)");
            }
            else
            {
                if (verb == 'v')
                {
                    (_sharpV, _sharp, _plusV, _plus) = (_sharp, false, _plus, false);
                }

                PrintArg(a[argNum], verb);
                argNum++;
            }
        }

        if (!_reordered && argNum < a.Count)
        {
            ClearFlags();
            _buf.Append("%!(EXTRA ");
            for (int k = argNum; k < a.Count; k++)
            {
                if (k > argNum)
                {
                    _buf.Append(", ");
                }

                if (!a[k].IsValid)
                {
                    _buf.Append("<nil>");
                }
                else
                {
                    _buf.Append(a[k].Type!.Name).Append('=');
                    PrintArg(a[k], 'v');
                }
            }

            _buf.Append(')');
        }
    }

    private static (int Num, bool IsNum, int NewI) ParseNum(string s, int start, int end)
    {
        if (start >= end)
        {
            return (0, false, end);
        }

        int num = 0;
        bool isNum = false;
        int i = start;
        for (; i < end && char.IsAsciiDigit(s[i]); i++)
        {
            if (TooLarge(num))
            {
                return (0, false, end); // Overflow; crazy long number most likely.
            }

            num = (num * 10) + (s[i] - '0');
            isNum = true;
        }

        return (num, isNum, i);
    }

    private static bool TooLarge(long x) => x is > 1_000_000 or < -1_000_000;

    private static (int Num, bool IsInt, int NewArgNum) IntFromArg(IReadOnlyList<GoValue> a, int argNum)
    {
        if (argNum >= a.Count)
        {
            return (0, false, argNum);
        }

        var v = a[argNum];
        long num = 0;
        bool isInt = false;
        if (v.Type?.IsSignedInt == true)
        {
            (num, isInt) = (v.AsInt, true);
        }
        else if (v.Type?.IsUnsignedInt == true && v.AsUint <= long.MaxValue)
        {
            (num, isInt) = ((long)v.AsUint, true);
        }

        return TooLarge(num) ? (0, false, argNum + 1) : ((int)num, isInt, argNum + 1);
    }

    private (int ArgNum, int NewI, bool Found) ArgNumber(int argNum, string format, int i, int numArgs)
    {
        if (format.Length <= i || format[i] != '[')
        {
            return (argNum, i, false);
        }

        _reordered = true;
        var (index, wid, ok) = ParseArgNumber(format, i);
        if (ok && index >= 0 && index < numArgs)
        {
            return (index, i + wid, true);
        }

        _goodArgNum = false;
        return (argNum, i + wid, ok);
    }

    private static (int Index, int Wid, bool Ok) ParseArgNumber(string format, int start)
    {
        if (format.Length - start < 3)
        {
            return (0, 1, false);
        }

        for (int i = start + 1; i < format.Length; i++)
        {
            if (format[i] == ']')
            {
                var (width, ok, newi) = ParseNum(format, start + 1, i);
                return !ok || newi != i ? (0, i - start + 1, false) : (width - 1, i - start + 1, true);
            }
        }

        return (0, 1, false);
    }
}

using MetricsCluster.Core;
using System.Numerics;
using System.Text;
using MetricsCluster.PromQL.Engine;

namespace MetricsCluster.Ruler.Templating.Go;

/// <summary>Go's fmt/format.go: flags, padding and the formatters of booleans, integers, floats and strings.</summary>
internal sealed partial class GoFmt
{
    private const string LDigits = "0123456789abcdefx";
    private const string UDigits = "0123456789ABCDEFX";

    private bool _widPresent;
    private bool _precPresent;
    private bool _minus;
    private bool _plus;
    private bool _sharp;
    private bool _space;
    private bool _zero;
    private bool _plusV;
    private bool _sharpV;
    private int _wid;
    private int _prec;

    private void ClearFlags()
    {
        _widPresent = _precPresent = _minus = _plus = _sharp = _space = _zero = _plusV = _sharpV = false;
        _wid = _prec = 0;
    }

    private void WritePadding(int n)
    {
        if (n > 0)
        {
            _buf.Append(_zero ? '0' : ' ', n);
        }
    }

    // Go pads to a width counted in runes.
    private void PadString(string s)
    {
        if (!_widPresent || _wid == 0)
        {
            _buf.Append(s);
            return;
        }

        int width = _wid - GoText.RuneCount(s);
        if (!_minus)
        {
            WritePadding(width);
            _buf.Append(s);
        }
        else
        {
            _buf.Append(s);
            WritePadding(width);
        }
    }

    private void FmtBool(bool v, int verb)
    {
        if (verb is 't' or 'v')
        {
            PadString(v ? "true" : "false");
        }
        else
        {
            BadVerb(verb);
        }
    }

    private void Fmt0x64(ulong v, bool leading0x)
    {
        bool sharp = _sharp;
        _sharp = leading0x;
        FmtInteger(v, 16, false, 'v', LDigits);
        _sharp = sharp;
    }

    private void FmtIntegerVerb(ulong v, bool isSigned, int verb)
    {
        switch (verb)
        {
            case 'v':
                if (_sharpV && !isSigned)
                {
                    Fmt0x64(v, true);
                }
                else
                {
                    FmtInteger(v, 10, isSigned, verb, LDigits);
                }

                break;
            case 'd': FmtInteger(v, 10, isSigned, verb, LDigits); break;
            case 'b': FmtInteger(v, 2, isSigned, verb, LDigits); break;
            case 'o' or 'O': FmtInteger(v, 8, isSigned, verb, LDigits); break;
            case 'x': FmtInteger(v, 16, isSigned, verb, LDigits); break;
            case 'X': FmtInteger(v, 16, isSigned, verb, UDigits); break;
            case 'c': PadString(char.ConvertFromUtf32(ValidRune(v))); break;
            case 'q': PadString(GoText.QuoteRune(ValidRune(v), _plus)); break;
            case 'U': FmtUnicode(v); break;
            default: BadVerb(verb); break;
        }
    }

    private static int ValidRune(ulong v) => v > 0x10FFFF || v is >= 0xD800 and <= 0xDFFF ? 0xFFFD : (int)v;

    private void FmtInteger(ulong u, int b, bool isSigned, int verb, string digits)
    {
        bool negative = isSigned && (long)u < 0;
        if (negative)
        {
            u = 0 - u;
        }

        int prec = 0;
        if (_precPresent)
        {
            prec = _prec;
            if (prec == 0 && u == 0)
            {
                // Precision 0 and value 0 mean "print nothing but padding".
                bool oldZero = _zero;
                _zero = false;
                WritePadding(_wid);
                _zero = oldZero;
                return;
            }
        }
        else if (_zero && _widPresent)
        {
            prec = _wid;
            if (negative || _plus || _space)
            {
                prec--; // Leave room for the sign.
            }
        }

        var num = new StringBuilder(24);
        do
        {
            num.Insert(0, digits[(int)(u % (ulong)b)]);
            u /= (ulong)b;
        }
        while (u > 0);

        if (num.Length < prec)
        {
            num.Insert(0, "0", prec - num.Length);
        }

        if (_sharp)
        {
            switch (b)
            {
                case 2: num.Insert(0, "0b"); break;
                case 8 when num[0] != '0': num.Insert(0, '0'); break;
                case 16: num.Insert(0, "0" + digits[16]); break;
            }
        }

        if (verb == 'O')
        {
            num.Insert(0, "0o");
        }

        if (negative)
        {
            num.Insert(0, '-');
        }
        else if (_plus)
        {
            num.Insert(0, '+');
        }
        else if (_space)
        {
            num.Insert(0, ' ');
        }

        // Zero padding was turned into precision above; the width pads with spaces.
        bool zero = _zero;
        _zero = false;
        PadString(num.ToString());
        _zero = zero;
    }

    private void FmtUnicode(ulong u)
    {
        int prec = _precPresent && _prec > 4 ? _prec : 4;
        string hex = u.ToString("X", System.Globalization.CultureInfo.InvariantCulture);
        var s = new StringBuilder("U+").Append('0', Math.Max(prec - hex.Length, 0)).Append(hex);
        if (_sharp && u <= 0x10FFFF && GoText.IsPrint((int)u))
        {
            s.Append(" '").Append(char.ConvertFromUtf32((int)u)).Append('\'');
        }

        bool zero = _zero;
        _zero = false;
        PadString(s.ToString());
        _zero = zero;
    }

    private void FmtFloatVerb(double v, int verb)
    {
        switch (verb)
        {
            case 'v': FmtFloat(v, 'g', -1); break;
            case 'b' or 'g' or 'G' or 'x' or 'X': FmtFloat(v, (char)verb, -1); break;
            case 'f' or 'e' or 'E': FmtFloat(v, (char)verb, 6); break;
            case 'F': FmtFloat(v, 'f', 6); break;
            default: BadVerb(verb); break;
        }
    }

    private void FmtComplex(Complex v, int verb)
    {
        if (verb is not ('v' or 'b' or 'g' or 'G' or 'x' or 'X' or 'f' or 'F' or 'e' or 'E'))
        {
            BadVerb(verb);
            return;
        }

        bool oldPlus = _plus;
        _buf.Append('(');
        FmtFloatVerb(v.Real, verb);
        _plus = true;
        FmtFloatVerb(v.Imaginary, verb);
        _buf.Append("i)");
        _plus = oldPlus;
    }

    private void FmtFloat(double v, char verb, int prec)
    {
        if (_precPresent)
        {
            prec = _prec;
        }

        string formatted = GoFormat.FormatFloat(v, verb, prec);
        var num = new StringBuilder(formatted.Length + 8);
        num.Append(formatted[0] is '-' or '+' ? string.Empty : "+").Append(formatted);
        if (_space && num[0] == '+' && !_plus)
        {
            num[0] = ' ';
        }

        // Infinities and NaN are not padded with zeros; NaN loses its sign unless one was asked for.
        if (num[1] is 'I' or 'N')
        {
            bool oldZero = _zero;
            _zero = false;
            if (num[1] == 'N' && !_space && !_plus)
            {
                num.Remove(0, 1);
            }

            PadString(num.ToString());
            _zero = oldZero;
            return;
        }

        if (_sharp && verb != 'b')
        {
            SharpFloat(num, verb, prec);
        }

        if (_plus || num[0] != '+')
        {
            // With zero padding the sign goes before the zeros.
            if (_zero && _widPresent && _wid > num.Length)
            {
                _buf.Append(num[0]);
                WritePadding(_wid - num.Length);
                _buf.Append(num, 1, num.Length - 1);
                return;
            }

            PadString(num.ToString());
            return;
        }

        PadString(num.ToString(1, num.Length - 1));
    }

    // The # flag forces a decimal point and keeps trailing zeros of %g.
    private static void SharpFloat(StringBuilder num, char verb, int prec)
    {
        int digits = verb is 'g' or 'G' or 'x' ? (prec == -1 ? 6 : prec) : 0;
        string tail = string.Empty;
        bool hasDecimalPoint = false, sawNonzeroDigit = false;
        for (int i = 1; i < num.Length; i++)
        {
            char c = num[i];
            if (c == '.')
            {
                hasDecimalPoint = true;
            }
            else if (c is 'p' or 'P' || (c is 'e' or 'E' && verb is not ('x' or 'X')))
            {
                tail = num.ToString(i, num.Length - i);
                num.Length = i;
                break;
            }
            else
            {
                sawNonzeroDigit |= c != '0';
                if (sawNonzeroDigit)
                {
                    digits--;
                }
            }
        }

        if (!hasDecimalPoint)
        {
            if (num.Length == 2 && num[1] == '0')
            {
                digits--; // A leading 0 counts once.
            }

            num.Append('.');
        }

        num.Append('0', Math.Max(digits, 0)).Append(tail);
    }

    private void FmtString(string s, int verb)
    {
        switch (verb)
        {
            case 'v':
                if (_sharpV)
                {
                    FmtQ(s);
                }
                else
                {
                    FmtS(s);
                }

                break;
            case 's': FmtS(s); break;
            case 'x': FmtSx(s, LDigits); break;
            case 'X': FmtSx(s, UDigits); break;
            case 'q': FmtQ(s); break;
            default: BadVerb(verb); break;
        }
    }

    // Precision truncates a string to that many runes.
    private string Truncate(string s)
    {
        if (!_precPresent)
        {
            return s;
        }

        int n = _prec;
        for (int i = 0; i < s.Length; i += GoText.RuneWidth(s, i))
        {
            if (--n < 0)
            {
                return s[..i];
            }
        }

        return s;
    }

    private void FmtS(string s) => PadString(Truncate(s));

    private void FmtQ(string s)
    {
        s = Truncate(s);
        if (_sharp && GoText.CanBackquote(s))
        {
            PadString("`" + s + "`");
            return;
        }

        PadString(GoText.Quote(s, _plus));
    }

    private void FmtSx(string s, string digits)
    {
        byte[] b = Encoding.UTF8.GetBytes(s);
        int length = _precPresent && _prec < b.Length ? _prec : b.Length;
        int width = 2 * length;
        if (width > 0)
        {
            if (_space)
            {
                width = (_sharp ? width * 2 : width) + length - 1;
            }
            else if (_sharp)
            {
                width += 2;
            }
        }
        else
        {
            if (_widPresent)
            {
                WritePadding(_wid);
            }

            return;
        }

        if (_widPresent && _wid > width && !_minus)
        {
            WritePadding(_wid - width);
        }

        if (_sharp)
        {
            _buf.Append('0').Append(digits[16]);
        }

        for (int i = 0; i < length; i++)
        {
            if (_space && i > 0)
            {
                _buf.Append(' ');
                if (_sharp)
                {
                    _buf.Append('0').Append(digits[16]);
                }
            }

            _buf.Append(digits[b[i] >> 4]).Append(digits[b[i] & 0xF]);
        }

        if (_widPresent && _wid > width && _minus)
        {
            WritePadding(_wid - width);
        }
    }
}

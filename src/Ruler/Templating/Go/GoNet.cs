namespace MetricsCluster.Ruler.Templating.Go;

/// <summary>Go's <c>net.SplitHostPort</c>, <c>net.JoinHostPort</c> and the syntax check of <c>net.ParseIP</c>.</summary>
internal static class GoNet
{
    /// <summary>Splits <c>host:port</c>, <c>[v6]:port</c>; false where Go returns an error.</summary>
    public static bool TrySplitHostPort(string hostport, out string host, out string port)
    {
        host = port = string.Empty;
        int i = hostport.LastIndexOf(':');
        if (i < 0)
        {
            return false; // Missing port.
        }

        int j = 0, k = 0;
        if (hostport[0] == '[')
        {
            int end = hostport.IndexOf(']', StringComparison.Ordinal);
            if (end < 0 || end + 1 != i)
            {
                return false; // Missing ']', missing port, or too many colons.
            }

            host = hostport[1..end];
            (j, k) = (1, end + 1);
        }
        else
        {
            host = hostport[..i];
            if (host.Contains(':', StringComparison.Ordinal))
            {
                return false; // Too many colons.
            }
        }

        if (hostport.IndexOf('[', j) >= 0 || hostport.IndexOf(']', k) >= 0)
        {
            return false;
        }

        port = hostport[(i + 1)..];
        return true;
    }

    /// <summary>Go's <c>net.JoinHostPort</c>.</summary>
    public static string JoinHostPort(string host, string port) =>
        host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]:" + port : host + ":" + port;

    /// <summary>Whether Go's <c>net.ParseIP</c> accepts <paramref name="s"/> (dotted IPv4 without leading zeros, or IPv6).</summary>
    public static bool IsIP(string s)
    {
        foreach (char c in s)
        {
            if (c == '.')
            {
                return IsIPv4(s);
            }

            if (c == ':')
            {
                return IsIPv6(s);
            }
        }

        return false;
    }

    private static bool IsIPv4(string s)
    {
        int pos = 0;
        for (int octet = 0; octet < 4; octet++)
        {
            if (pos >= s.Length)
            {
                return false;
            }

            if (octet > 0)
            {
                if (s[pos] != '.')
                {
                    return false;
                }

                pos++;
            }

            int start = pos, n = 0;
            while (pos < s.Length && char.IsAsciiDigit(s[pos]) && n < 0xFFFFFF)
            {
                n = (n * 10) + (s[pos++] - '0');
            }

            int digits = pos - start;
            if (digits == 0 || n > 0xFF || (digits > 1 && s[start] == '0'))
            {
                return false;
            }
        }

        return pos == s.Length;
    }

    private static bool IsIPv6(string s)
    {
        int ellipsis = -1;
        int i = 0;
        if (s.StartsWith("::", StringComparison.Ordinal))
        {
            ellipsis = 0;
            s = s[2..];
            if (s.Length == 0)
            {
                return true;
            }
        }

        while (i < 16)
        {
            int c = 0, n = 0;
            while (c < s.Length && char.IsAsciiHexDigit(s[c]) && n < 0xFFFFFF)
            {
                n = (n * 16) + (char.IsAsciiDigit(s[c]) ? s[c] - '0' : (s[c] | 0x20) - 'a' + 10);
                c++;
            }

            if (c == 0 || n > 0xFFFF)
            {
                return false;
            }

            if (c < s.Length && s[c] == '.')
            {
                // A trailing IPv4 address, only in the last 32 bits.
                if ((ellipsis < 0 && i != 12) || i + 4 > 16 || !IsIPv4(s))
                {
                    return false;
                }

                s = string.Empty;
                i += 4;
                break;
            }

            i += 2;
            s = s[c..];
            if (s.Length == 0)
            {
                break;
            }

            if (s[0] != ':' || s.Length == 1)
            {
                return false;
            }

            s = s[1..];
            if (s[0] == ':')
            {
                if (ellipsis >= 0)
                {
                    return false;
                }

                ellipsis = i;
                s = s[1..];
                if (s.Length == 0)
                {
                    break;
                }
            }
        }

        return s.Length == 0 && (i < 16 ? ellipsis >= 0 : ellipsis < 0);
    }
}

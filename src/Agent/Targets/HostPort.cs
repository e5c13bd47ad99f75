namespace MetricsCluster.Agent.Targets;

/// <summary>Go's net.SplitHostPort, which decides whether Prometheus adds a default port to an address.</summary>
public static class HostPort
{
    /// <summary>Splits <c>host:port</c> or <c>[ipv6]:port</c>; false where Go returns an error.</summary>
    public static bool TrySplit(string hostport, out string host, out string port)
    {
        host = port = string.Empty;
        int last = hostport.LastIndexOf(':');
        if (last < 0)
        {
            return false; // Missing port in address.
        }

        string h;
        if (hostport.StartsWith('['))
        {
            int end = hostport.IndexOf(']', StringComparison.Ordinal);
            if (end < 0 || end + 1 == hostport.Length || end + 1 != last)
            {
                return false; // Missing ']', missing port, or text between ']' and ':'.
            }

            h = hostport[1..end];
            if (h.Contains('[') || hostport[(end + 1)..].Contains(']'))
            {
                return false;
            }
        }
        else
        {
            h = hostport[..last];
            if (h.Contains(':'))
            {
                return false; // Too many colons in address.
            }

            if (h.Contains('[') || h.Contains(']'))
            {
                return false;
            }
        }

        string p = hostport[(last + 1)..];
        if (p.Contains('[') || p.Contains(']'))
        {
            return false;
        }

        host = h;
        port = p;
        return true;
    }
}

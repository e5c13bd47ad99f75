using System.Security.Cryptography;
using System.Text;
using MetricsCluster.Agent.Config;
using MetricsCluster.Agent.RemoteWrite;
using MetricsCluster.Core.Metrics;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Agent.Manager;

/// <summary>
/// The remote-write side of one configuration: one <see cref="RemoteWriteQueue"/> per <c>remote_write</c> entry
/// (behind its write_relabel_configs), or one queue on a default transport (the in-process distributor) when the
/// file has none, fanned out and with the global external labels added in front.
/// </summary>
public sealed class RemoteWriteSet : IAsyncDisposable
{
    /// <summary>The queue directory name of the default (in-process) destination.</summary>
    public const string DefaultQueueName = "distributor";

    private const string NoRemoteWrite =
        "no remote_write configured: in agent mode (--target=agent) the agent needs at least one remote_write entry to send its samples to";

    private readonly List<RemoteWriteQueue> _queues;
    private readonly List<IDisposable> _transports;

    private RemoteWriteSet(ISampleSink sink, List<RemoteWriteQueue> queues, List<IDisposable> transports, string fingerprint)
    {
        Sink = sink;
        _queues = queues;
        _transports = transports;
        Fingerprint = fingerprint;
    }

    /// <summary>Where scrape batches go.</summary>
    public ISampleSink Sink { get; }

    /// <summary>The queues, in remote_write order.</summary>
    public IReadOnlyList<RemoteWriteQueue> Queues => _queues;

    /// <summary>Identifies the settings the set was built from; equal fingerprints need no rebuild on reload.</summary>
    public string Fingerprint { get; }

    /// <summary>Builds and starts the queues of <paramref name="config"/>.</summary>
    /// <param name="config">The agent configuration.</param>
    /// <param name="queueRoot">The parent of every queue directory (<c>&lt;data.dir&gt;/agent/queue</c>).</param>
    /// <param name="defaultTransport">The destination when the file has no remote_write; null makes that an error.</param>
    /// <param name="registry">Queue metrics.</param>
    /// <param name="loggers">Loggers.</param>
    /// <param name="time">The clock (G6).</param>
    /// <exception cref="ConfigException">No remote_write and no default destination.</exception>
    public static RemoteWriteSet Create(AgentConfig config, string queueRoot, Func<IRemoteWriteTransport>? defaultTransport, MetricsRegistry registry, ILoggerFactory loggers, TimeProvider time)
    {
        var queues = new List<RemoteWriteQueue>();
        var transports = new List<IDisposable>();
        var sinks = new List<ISampleSink>();
        if (config.RemoteWrite.Count == 0)
        {
            if (defaultTransport is null)
            {
                throw new ConfigException(NoRemoteWrite);
            }

            var options = new RemoteWriteOptions { Name = DefaultQueueName, QueueDirectory = Path.Combine(queueRoot, DefaultQueueName) };
            var queue = new RemoteWriteQueue(options, defaultTransport(), registry, loggers.CreateLogger<RemoteWriteQueue>(), time);
            queues.Add(queue);
            sinks.Add(queue);
        }

        foreach (var rw in config.RemoteWrite)
        {
            var options = ToOptions(rw, queueRoot);
            var transport = new HttpRemoteWriteTransport(options, time);
            transports.Add(transport);
            var queue = new RemoteWriteQueue(options, transport, registry, loggers.CreateLogger<RemoteWriteQueue>(), time);
            queues.Add(queue);
            sinks.Add(new RelabelingSink(queue, rw.WriteRelabelConfigs));
        }

        ISampleSink fanOut = sinks.Count == 1 ? sinks[0] : new FanOutSink(sinks);
        return new RemoteWriteSet(new ExternalLabelsSink(fanOut, config.Global.ExternalLabels), queues, transports, FingerprintOf(config));
    }

    /// <summary>Checks, without opening anything, that <see cref="Create"/> would accept <paramref name="config"/>.</summary>
    /// <exception cref="ConfigException">The settings cannot run; the message names the key.</exception>
    public static void Validate(AgentConfig config, string queueRoot, bool hasDefaultTransport)
    {
        if (config.RemoteWrite.Count == 0 && !hasDefaultTransport)
        {
            throw new ConfigException(NoRemoteWrite);
        }

        try
        {
            foreach (var rw in config.RemoteWrite)
            {
                ToOptions(rw, queueRoot).Validate(requireUrl: true);
            }
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(e.Message, e);
        }
    }

    /// <summary>The fingerprint a set built from <paramref name="config"/> would have.</summary>
    public static string FingerprintOf(AgentConfig config)
    {
        var sb = new StringBuilder().Append(config.Global.ExternalLabels.ToString());
        foreach (var rw in config.RemoteWrite)
        {
            sb.Append('\n').Append(rw.Url).Append('|').Append(rw.Name).Append('|').Append(rw.RemoteTimeout)
                .Append('|').Append(string.Join(",", rw.Headers.Select(h => h.Key + "=" + h.Value)))
                .Append('|').Append(rw.Auth).Append('|').Append(rw.QueueConfig)
                .Append('|').Append(ManagerFingerprints.Of(rw.WriteRelabelConfigs));
        }

        return sb.ToString();
    }

    /// <summary>A queue's directory name: its <c>name</c>, else a hash of its URL (stable across restarts).</summary>
    public static string QueueName(RemoteWriteConfig rw)
    {
        if (rw.Name.Length > 0)
        {
            return rw.Name;
        }

        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(rw.Url.ToString()));
        return Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    /// <summary>Stops every queue (unsent samples stay on disk for the next start) and its transport.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var q in _queues)
        {
            await q.DisposeAsync();
        }

        foreach (var t in _transports)
        {
            t.Dispose();
        }
    }

    private static RemoteWriteOptions ToOptions(RemoteWriteConfig rw, string queueRoot)
    {
        var q = rw.QueueConfig;
        var options = new RemoteWriteOptions
        {
            Url = rw.Url,
            Name = rw.Name,
            RemoteTimeout = rw.RemoteTimeout,
            QueueDirectory = Path.Combine(queueRoot, QueueName(rw)),
            Capacity = q.Capacity,
            MinShards = q.MinShards,
            MaxShards = q.MaxShards,
            MaxSamplesPerSend = q.MaxSamplesPerSend,
            BatchSendDeadline = q.BatchSendDeadline,
            MinBackoff = q.MinBackoff,
            MaxBackoff = q.MaxBackoff,
            RetryOnHttp429 = q.RetryOnHttp429,
            BasicAuthUsername = rw.Auth.BasicAuth?.Username,
            BasicAuthPassword = rw.Auth.BasicAuth is { } b ? b.Password ?? ReadSecret(b.PasswordFile) : null,
            BearerToken = rw.Auth.BearerToken ?? ReadSecret(rw.Auth.BearerTokenFile),
        };
        foreach (var (name, value) in rw.Headers)
        {
            options.Headers[name] = value;
        }

        return options;
    }

    /// <summary>Reads a credentials file once, at (re)load; trailing newlines are not part of the secret.</summary>
    internal static string? ReadSecret(string? path)
    {
        if (path is null)
        {
            return null;
        }

        try
        {
            return File.ReadAllText(path).TrimEnd('\r', '\n');
        }
        catch (IOException e)
        {
            throw new ConfigException($"cannot read credentials file {path}: {e.Message}", e);
        }
    }
}

using MetricsCluster.Cluster.Replication;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Engine;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Replication;

public sealed class QuorumTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    public async Task DoBatch_with_RF3_on_3_instances_tolerates_one_failure(int failing, bool fails)
    {
        var ring = FakeRing.Of(3);
        var down = ring.List.Take(failing).Select(i => i.Id).ToHashSet();
        var calls = new Dictionary<string, int[]>();
        uint[] keys = [.. Enumerable.Range(0, 10).Select(i => (uint)i)];

        var task = Quorum.DoBatchAsync(ring, RingOperation.Write, keys, (instance, indexes, _) =>
        {
            calls[instance.Id] = indexes;
            return down.Contains(instance.Id) ? Task.FromException(new IOException("down")) : Task.Delay(1);
        }, CancellationToken.None);

        if (fails)
        {
            var e = await Assert.ThrowsAsync<QuorumException>(() => task.WaitAsync(s_timeout));
            Assert.True(e.Retryable);
            Assert.InRange(e.Failures.Count, 2, failing);
            Assert.All(e.Failures, f => Assert.Contains(f.Instance.Id, down));
        }
        else
        {
            await task.WaitAsync(s_timeout);
        }

        // Every instance is in every set: each is called once with every key.
        Assert.Equal(3, calls.Count);
        Assert.All(calls.Values, indexes => Assert.Equal(Enumerable.Range(0, 10), indexes));
    }

    [Fact]
    public async Task DoBatch_succeeds_without_waiting_for_a_straggler_and_does_not_cancel_it()
    {
        var ring = FakeRing.Of(3);
        var straggler = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationToken stragglerToken = default;
        using var caller = new CancellationTokenSource();

        await Quorum.DoBatchAsync(ring, RingOperation.Write, new uint[] { 1, 2, 3 }, (instance, _, ct) =>
        {
            if (instance.Id == "ingester-2")
            {
                stragglerToken = ct;
                return straggler.Task;
            }

            return Task.Delay(1, ct);
        }, caller.Token).WaitAsync(s_timeout);

        await caller.CancelAsync();
        Assert.False(straggler.Task.IsCompleted);
        Assert.False(stragglerToken.IsCancellationRequested);
        straggler.SetResult();
    }

    [Fact]
    public async Task DoBatch_with_per_key_sets_on_5_instances_sends_each_key_to_exactly_its_set()
    {
        var ring = FakeRing.Of(5);
        var received = new Dictionary<string, int[]>();
        uint[] keys = [.. Enumerable.Range(0, 100).Select(i => (uint)((i * 7919) + 3))];

        // One instance down: every key still has 2 of its 3.
        await Quorum.DoBatchAsync(ring, RingOperation.Write, keys, (instance, indexes, _) =>
        {
            lock (received)
            {
                received[instance.Id] = indexes;
            }

            return instance.Id == "ingester-3" ? Task.FromException(new IOException("down")) : Task.Delay(1);
        }, CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(5, received.Count);
        foreach (var (id, indexes) in received)
        {
            Assert.Equal(Enumerable.Range(0, keys.Length).Where(k => ring.Owns(keys[k], id)), indexes);
        }
    }

    [Fact]
    public async Task DoBatch_on_5_instances_fails_when_two_instances_of_one_set_fail()
    {
        var ring = FakeRing.Of(5);
        uint[] keys = [.. Enumerable.Range(0, 20).Select(i => (uint)i)];

        await Assert.ThrowsAsync<QuorumException>(() => Quorum.DoBatchAsync(ring, RingOperation.Write, keys, (instance, _, _) =>
            instance.Id is "ingester-0" or "ingester-2" ? Task.FromException(new IOException("down")) : Task.CompletedTask, CancellationToken.None).WaitAsync(s_timeout));
    }

    [Fact]
    public void DoBatch_checks_the_callers_token_before_dispatch()
    {
        int calls = 0;
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var e = Record.Exception(() => Dispatch(FakeRing.Of(3), RingOperation.Write, new uint[] { 1 }, (_, _, _) =>
        {
            calls++;
            return Task.CompletedTask;
        }, cts.Token));

        Assert.IsType<OperationCanceledException>(e, exactMatch: false);
        Assert.Equal(0, calls);
    }

    [Theory]
    // Two zones lost of three (one instance in each) breaks the quorum; a whole zone lost does not.
    [InlineData(new[] { "a1", "a2" }, false)]
    [InlineData(new[] { "a1" }, false)]
    [InlineData(new[] { "a1", "b1" }, true)]
    [InlineData(new[] { "a1", "a2", "c2" }, true)]
    public async Task DoBatch_and_DoAsync_with_zones_tolerate_MaxUnavailableZones_zones(string[] failing, bool fails)
    {
        var set = ZonedSet();
        var ring = new FakeRing([.. set.Instances]) { SetFor = _ => set };
        var down = failing.ToHashSet();
        Task Call(InstanceDesc i) => down.Contains(i.Id) ? Task.FromException(new IOException("down")) : Task.Delay(1);

        var batch = Quorum.DoBatchAsync(ring, RingOperation.Write, new uint[] { 1, 2 }, (i, _, _) => Call(i), CancellationToken.None);
        var read = Quorum.DoAsync(set, async (i, _) =>
        {
            await Call(i);
            return i.Id;
        }, CancellationToken.None);

        if (fails)
        {
            await Assert.ThrowsAsync<QuorumException>(() => batch.WaitAsync(s_timeout));
            await Assert.ThrowsAsync<QuorumException>(() => read.WaitAsync(s_timeout));
        }
        else
        {
            await batch.WaitAsync(s_timeout);
            Assert.Equal(set.Instances.Select(i => i.Id).Where(id => !down.Contains(id)), await read.WaitAsync(s_timeout));
        }
    }

    [Theory]
    [InlineData(3, 1, 0, false)]
    [InlineData(3, 1, 1, false)]
    [InlineData(3, 1, 2, true)]
    [InlineData(5, 2, 2, false)]
    [InlineData(5, 2, 3, true)]
    [InlineData(2, 0, 1, true)]
    public async Task DoAsync_returns_the_successes_unless_more_than_MaxErrors_fail(int instances, int maxErrors, int failing, bool fails)
    {
        var all = Enumerable.Range(0, instances).Select(i => FakeRing.Instance("i" + i)).ToList();
        var set = new ReplicationSet(all, maxErrors, 0);

        var task = Quorum.DoAsync(set, async (i, _) =>
        {
            await Task.Yield();
            return int.Parse(i.Id[1..], System.Globalization.CultureInfo.InvariantCulture) < failing ? throw new IOException(i.Id) : i.Id;
        }, CancellationToken.None);

        if (fails)
        {
            var e = await Assert.ThrowsAsync<QuorumException>(() => task.WaitAsync(s_timeout));
            Assert.Equal(maxErrors + 1, e.Failures.Count);
        }
        else
        {
            Assert.Equal(all.Skip(failing).Select(i => i.Id), await task.WaitAsync(s_timeout));
        }
    }

    [Fact]
    public async Task DoAsync_waits_for_every_call_and_cancels_the_rest_once_the_quorum_is_lost()
    {
        var set = new ReplicationSet([FakeRing.Instance("a"), FakeRing.Instance("b"), FakeRing.Instance("c")], 1, 0);
        var hung = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);

        var e = await Assert.ThrowsAsync<QuorumException>(() => Quorum.DoAsync<int>(set, async (i, ct) =>
        {
            if (i.Id == "c")
            {
                hung.SetResult(ct);
                await Task.Delay(Timeout.Infinite, ct);
            }

            throw new IOException(i.Id);
        }, CancellationToken.None).WaitAsync(s_timeout));

        Assert.Equal(["a", "b"], e.Failures.Select(f => f.Instance.Id).Order());
        Assert.True((await hung.Task).IsCancellationRequested);
    }

    [Fact]
    public async Task DoUntilQuorumAsync_answers_without_a_replica_that_hangs_and_cancels_it()
    {
        // A frozen ingester keeps its connection and never answers: a read must not wait for it.
        var set = new ReplicationSet([FakeRing.Instance("a"), FakeRing.Instance("b"), FakeRing.Instance("c")], 1, 0);
        var hung = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);

        var read = await Quorum.DoUntilQuorumAsync(set, async (i, ct) =>
        {
            if (i.Id == "b")
            {
                hung.SetResult(ct);
                await Task.Delay(Timeout.Infinite, ct);
            }

            return i.Id;
        }, CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(["a", "c"], read);
        Assert.True((await hung.Task).IsCancellationRequested);
    }

    [Fact]
    public async Task DoUntilQuorumAsync_with_zones_answers_once_every_zone_but_MaxUnavailableZones_did()
    {
        var set = ZonedSet();
        var read = await Quorum.DoUntilQuorumAsync(set, async (i, ct) =>
        {
            if (i.Zone == "b")
            {
                await Task.Delay(Timeout.Infinite, ct);
            }

            return i.Id;
        }, CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(["a1", "a2", "c1", "c2"], read);
    }

    [Theory]
    [InlineData(3, 1, 2, true)]
    [InlineData(3, 1, 1, false)]
    [InlineData(2, 0, 1, true)]
    public async Task DoUntilQuorumAsync_fails_like_DoAsync_when_more_than_MaxErrors_fail(int instances, int maxErrors, int failing, bool fails)
    {
        var all = Enumerable.Range(0, instances).Select(i => FakeRing.Instance("i" + i)).ToList();
        var set = new ReplicationSet(all, maxErrors, 0);
        var task = Quorum.DoUntilQuorumAsync(set, async (i, _) =>
        {
            await Task.Yield();
            return int.Parse(i.Id[1..], System.Globalization.CultureInfo.InvariantCulture) < failing ? throw new IOException(i.Id) : i.Id;
        }, CancellationToken.None);

        if (fails)
        {
            await Assert.ThrowsAsync<QuorumException>(() => task.WaitAsync(s_timeout));
        }
        else
        {
            Assert.Equal(all.Skip(failing).Select(i => i.Id), await task.WaitAsync(s_timeout));
        }
    }

    [Theory]
    [InlineData(false, false, true)]
    [InlineData(true, false, true)]
    [InlineData(true, true, false)]
    public void QuorumException_is_retryable_unless_every_failure_says_it_is_permanent(bool firstPermanent, bool secondPermanent, bool retryable)
    {
        var i = FakeRing.Instance("a");
        var e = new QuorumException("lost", [
            new InstanceFailure(i, firstPermanent ? Rpc(CallStatusCode.InvalidArgument) : new TimeoutException()),
            new InstanceFailure(i, secondPermanent ? Rpc(CallStatusCode.NotFound) : Rpc(CallStatusCode.Unavailable)),
        ]);

        Assert.Equal(retryable, e.Retryable);
        Assert.Contains("a (a:9095)", e.Message, StringComparison.Ordinal);
    }

    // A statement lambda, so the synchronous throw is what is recorded.
    private static void Dispatch(IReadRing ring, RingOperation op, uint[] keys, Func<InstanceDesc, int[], CancellationToken, Task> callback, CancellationToken ct) =>
        _ = Quorum.DoBatchAsync(ring, op, keys, callback, ct);

    private static ReplicationSet ZonedSet() => new(
        [FakeRing.Instance("a1", "a"), FakeRing.Instance("a2", "a"), FakeRing.Instance("b1", "b"), FakeRing.Instance("b2", "b"), FakeRing.Instance("c1", "c"), FakeRing.Instance("c2", "c")],
        0,
        1);

    private static GrainCallException Rpc(CallStatusCode code) => new(code, "a:9095", "Push", "test");
}

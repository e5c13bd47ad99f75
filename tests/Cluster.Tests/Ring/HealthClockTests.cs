using FsCheck;
using FsCheck.Fluent;
using MetricsCluster.Cluster.Ring;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Ring;

public sealed class HealthClockTests
{
    private static readonly TimeSpan s_slack = TimeSpan.FromSeconds(15);
    private static readonly DateTimeOffset s_t0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Never_refreshed_judges_against_now()
    {
        Assert.Equal(s_t0, HealthClock.Never.ReferenceTime(s_t0, s_slack));
        Assert.False(HealthClock.Never.IsFresh(s_t0, s_slack));
    }

    [Fact]
    public void A_second_outage_while_catching_up_freezes_and_resumes_without_a_jump()
    {
        HealthClock c = HealthClock.Never.Refreshed(s_t0, s_slack);
        DateTimeOffset recovered = s_t0 + TimeSpan.FromMinutes(2);
        c = c.Refreshed(recovered, s_slack); // Recovered: the reference restarts from t0+15s at twice real time.
        Assert.Equal(s_t0 + TimeSpan.FromSeconds(35), c.ReferenceTime(recovered + TimeSpan.FromSeconds(10), s_slack));

        // The store goes away again: catching up goes on, but never past the last answer + slack.
        DateTimeOffset t = recovered + TimeSpan.FromSeconds(70);
        Assert.Equal(recovered + s_slack, c.ReferenceTime(t, s_slack));

        // The next answer resumes from exactly there, at twice real time.
        c = c.Refreshed(t, s_slack);
        Assert.Equal(recovered + s_slack, c.ReferenceTime(t, s_slack));
        Assert.Equal(recovered + s_slack + TimeSpan.FromSeconds(2), c.ReferenceTime(t + TimeSpan.FromSeconds(1), s_slack));
    }

    [Fact]
    public void Property_reference_never_decreases_and_never_passes_now()
    {
        // Steps: (seconds to advance, whether the store answers at the end of the step).
        var gen = Gen.ArrayOf(Gen.Zip(Gen.Choose(0, 90), ArbMap.Default.GeneratorFor<bool>()));
        var prop = Prop.ForAll(gen.ToArbitrary(), ((int Seconds, bool Answer)[] steps) =>
        {
            DateTimeOffset now = s_t0;
            HealthClock clock = HealthClock.Never.Refreshed(now, s_slack);
            DateTimeOffset previous = clock.ReferenceTime(now, s_slack);
            foreach (var (seconds, answer) in steps)
            {
                now += TimeSpan.FromSeconds(seconds);
                if (answer)
                {
                    clock = clock.Refreshed(now, s_slack);
                }

                DateTimeOffset reference = clock.ReferenceTime(now, s_slack);
                if (reference < previous || reference > now)
                {
                    return false;
                }

                previous = reference;
            }

            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), prop);
    }
}

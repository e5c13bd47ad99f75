using MetricsCluster.ObjectStore;
using MetricsCluster.ObjectStore.Tests;
using MetricsCluster.Ruler.Storage;
using Xunit;

namespace MetricsCluster.Ruler.Tests.Storage;

/// <summary><see cref="BucketRuleStore"/> on S3 (a real moto_server child process, never skipped): the same contract.</summary>
public sealed class BucketRuleStoreS3Tests : RuleStoreConformance, IClassFixture<MotoServer>, IDisposable
{
    private readonly S3Bucket _bucket;
    private readonly BucketRuleStore _store;

    public BucketRuleStoreS3Tests(MotoServer moto)
    {
        _bucket = new S3Bucket(moto.Config(moto.CreateBucket()));
        _store = new BucketRuleStore(_bucket);
    }

    protected override IRuleStore Store => _store;

    public void Dispose() => _bucket.Dispose();
}

using System.Text;
using Xunit;

namespace MetricsCluster.Core.Tests;

public class XxHash64Tests
{
    // Reference values from the xxHash project's own CLI (xxhsum -H1, seed 0).
    [Theory]
    [InlineData("", 0xEF46DB3751D8E999UL)]
    [InlineData("a", 0xD24EC4F1A98C6E5BUL)]
    [InlineData("abc", 0x44BC2CF5AD770999UL)]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345", 0xBF2CD639B4143B80UL)] // Exactly one 32-byte stripe.
    [InlineData("Nobody inspects the spammish repetition", 0xFBCEA83C8A378BF1UL)] // Stripe + 8 + 4 + tail bytes.
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", 0xD5000C4AC53D14A0UL)]
    public void MatchesReferenceVectors(string input, ulong expected)
    {
        Assert.Equal(expected, XxHash64.Hash(Encoding.UTF8.GetBytes(input)));
    }

    [Fact]
    public void MatchesReferenceForBytes0To99()
    {
        byte[] data = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        Assert.Equal(0x6AC1E58032166597UL, XxHash64.Hash(data));
    }

    // Outputs of the hand-written XXH64 that System.IO.Hashing replaced, computed from it before it was deleted:
    // ring tokens and shard keys already on disk and in the ring depend on them. Input: byte i = (i * 31 + 7) mod 256.
    // Lengths straddle the 4-, 8- and 32-byte steps; seeds 0, 1 and a large one that sets the sign bit.
    public static TheoryData<int, ulong, ulong> PreviousImplementation => new()
    {
        { 0, 0x0UL, 0xEF46DB3751D8E999UL },
        { 1, 0x0UL, 0xA96C7F0CE858BBB7UL },
        { 3, 0x0UL, 0x56E6957632A487F9UL },
        { 4, 0x0UL, 0xC60D15B1E3FF8F04UL },
        { 7, 0x0UL, 0xAFBEFC3D6C6F9A8EUL },
        { 8, 0x0UL, 0x3DA5C7AA269683E0UL },
        { 9, 0x0UL, 0x4B17A9BA9E215C09UL },
        { 15, 0x0UL, 0xAE2A37EB9357CAA7UL },
        { 16, 0x0UL, 0xA19AD429B02BC413UL },
        { 31, 0x0UL, 0x4A74F3A1A39AD4A1UL },
        { 32, 0x0UL, 0x8D57D6A4671CC43DUL },
        { 33, 0x0UL, 0x62C9FD21ED857664UL },
        { 63, 0x0UL, 0x5C320A0D2707057FUL },
        { 64, 0x0UL, 0x7BBABBC45729D17EUL },
        { 65, 0x0UL, 0xF3980C34BAE65DC1UL },
        { 100, 0x0UL, 0xEFA0AD2D3E70C151UL },
        { 255, 0x0UL, 0x2C3DB4BB567F731EUL },
        { 1000, 0x0UL, 0x99594F4828043D35UL },
        { 4096, 0x0UL, 0xE21174BE82DC78D9UL },
        { 0, 0x1UL, 0xD5AFBA1336A3BE4BUL },
        { 1, 0x1UL, 0x0766883A0A47A96AUL },
        { 3, 0x1UL, 0x598AFE4FBB09D9F6UL },
        { 4, 0x1UL, 0x5E9F99AA13DE2D02UL },
        { 7, 0x1UL, 0xBD99F1FA0DE7B9A4UL },
        { 8, 0x1UL, 0x1B4E043A4021AA18UL },
        { 9, 0x1UL, 0x2A77C6E783FB18B1UL },
        { 15, 0x1UL, 0xC88BD84841AF8AC9UL },
        { 16, 0x1UL, 0x78B588AFC3E5E956UL },
        { 31, 0x1UL, 0xD7AC4F4BEA4E460AUL },
        { 32, 0x1UL, 0x8F666909CFD00CC8UL },
        { 33, 0x1UL, 0xB1575979B72C805AUL },
        { 63, 0x1UL, 0x61B9CB220DA77A86UL },
        { 64, 0x1UL, 0xEE10EEE981202CE9UL },
        { 65, 0x1UL, 0xB99A8864D5005B72UL },
        { 100, 0x1UL, 0xCD8103AECD2ED5CFUL },
        { 255, 0x1UL, 0xEE611F8EE99C1E80UL },
        { 1000, 0x1UL, 0x31DB8080BC8EB541UL },
        { 4096, 0x1UL, 0x7F1DB6107E63ED04UL },
        { 0, 0x9E3779B97F4A7C15UL, 0xC4349FC93C010000UL },
        { 1, 0x9E3779B97F4A7C15UL, 0x585882422A6165E7UL },
        { 3, 0x9E3779B97F4A7C15UL, 0x5ACB303E78133C22UL },
        { 4, 0x9E3779B97F4A7C15UL, 0x7D51D5E2461732B3UL },
        { 7, 0x9E3779B97F4A7C15UL, 0x2CE9ADEC2B2C8104UL },
        { 8, 0x9E3779B97F4A7C15UL, 0x758848F033FA76A2UL },
        { 9, 0x9E3779B97F4A7C15UL, 0xD4576CF554B7D929UL },
        { 15, 0x9E3779B97F4A7C15UL, 0xA18D5C90D722CEE3UL },
        { 16, 0x9E3779B97F4A7C15UL, 0xE3594F9058B426E7UL },
        { 31, 0x9E3779B97F4A7C15UL, 0x8137041F5AF88413UL },
        { 32, 0x9E3779B97F4A7C15UL, 0x184EBCF3745CD46CUL },
        { 33, 0x9E3779B97F4A7C15UL, 0x52FAC3C981F3CC2EUL },
        { 63, 0x9E3779B97F4A7C15UL, 0x64EF99A2E94CC7BDUL },
        { 64, 0x9E3779B97F4A7C15UL, 0xF7F22435FE1AB128UL },
        { 65, 0x9E3779B97F4A7C15UL, 0x7A0B76A812617C73UL },
        { 100, 0x9E3779B97F4A7C15UL, 0xBC7AB33BE7528C18UL },
        { 255, 0x9E3779B97F4A7C15UL, 0x76DC2BA578C894B9UL },
        { 1000, 0x9E3779B97F4A7C15UL, 0xDA717F741F399F3FUL },
        { 4096, 0x9E3779B97F4A7C15UL, 0xE4D8CED124DF0294UL },
    };

    [Theory]
    [MemberData(nameof(PreviousImplementation))]
    public void MatchesThePreviousImplementation(int length, ulong seed, ulong expected)
    {
        byte[] data = Enumerable.Range(0, length).Select(i => (byte)((i * 31) + 7)).ToArray();
        Assert.Equal(expected, XxHash64.Hash(data, seed));
    }

    [Fact]
    public void SeedChangesTheHash()
    {
        Assert.NotEqual(XxHash64.Hash("abc"u8), XxHash64.Hash("abc"u8, 1));
    }
}

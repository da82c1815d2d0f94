using Hako.Linux.Beancounters;
using Hako.Linux.Tests.TestSupport;

namespace Hako.Linux.Tests.Beancounters;

public sealed class ProcTextTests
{
    private static string Fixture(string relative) => File.ReadAllText(Path.Combine(FixtureTree.PathOf("ubc-v1"), relative));

    [Fact]
    public void Sockstat_AddsTcpAndTcp6InUse() =>
        Assert.Equal((8L, 3L), ProcText.Sockstat(Fixture("proc/20174/net/sockstat"), Fixture("proc/20174/net/sockstat6")));

    [Fact]
    public void LocksByPid_CountsHeldLocksAndSkipsWaitersAndOfd()
    {
        var locks = ProcText.LocksByPid(Fixture("proc/locks") +
            "7: -> FLOCK  ADVISORY  WRITE 23077 fe:00:11660529 0 EOF\n8: OFDLCK ADVISORY  WRITE -1 fe:00:1 0 EOF\n");
        Assert.Equal(2, locks[23077]);
        Assert.Equal(3, locks[29933]);
        Assert.False(locks.ContainsKey(-1));
    }

    [Fact]
    public void StatmData_IsTheSixthField() => Assert.Equal(2021, ProcText.StatmData(Fixture("proc/23077/statm")));

    [Fact]
    public void SigQueued_ReadsTheCountBeforeTheSlash() => Assert.Equal(1, ProcText.SigQueued(Fixture("proc/20174/status")));

    [Fact]
    public void ReceiveQueues_SumsHexRxQueue() => Assert.Equal(6656, ProcText.ReceiveQueues(Fixture("proc/20174/net/udp")));
}

namespace Hako.Integration.Tests.Hostile;

/// <summary>hakod's resident memory, read from /proc/PID/status (VmRSS), sampled while a hostile call runs.</summary>
internal sealed class HakodMemory : IAsyncDisposable
{
    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;

    private HakodMemory(int pid)
    {
        _pid = pid;
        Baseline = Rss(pid);
        Peak = Baseline;
        _sampler = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Peak = Math.Max(Peak, Rss(_pid));
                try { await Task.Delay(100, _stop.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    public long Baseline { get; }
    public long Peak { get; private set; }
    public long Growth => Peak - Baseline;

    /// <summary>Starts sampling after a collection in the test process only settles nothing: hakod's own baseline is its RSS now.</summary>
    public static HakodMemory Watch(int pid) => new(pid);

    public static long Rss(int pid) => Field(pid, "VmRSS:");

    public static long Hwm(int pid) => Field(pid, "VmHWM:");

    private static long Field(int pid, string name)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(name, StringComparison.Ordinal));
        return long.Parse(line[name.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    public override string ToString() => $"hakod RSS {Baseline >> 20} MB -> peak {Peak >> 20} MB (+{Growth >> 20} MB)";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampler;
        _stop.Dispose();
    }
}

namespace Hako.Integration.Tests.Infrastructure;

/// <summary>One hakod with the busybox template, shared by the tests of a class.</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    public HakodNode Node { get; } = new();

    public string? SkipReason { get; private set; }

    public async Task InitializeAsync()
    {
        if (!HakodNode.CanRun(out var reason))
        {
            SkipReason = reason;
            return;
        }

        await Node.StartAsync();
        await Node.BuildBusyboxAsync();
    }

    public async Task DisposeAsync()
    {
        if (SkipReason is null)
        {
            await Node.DisposeAsync();
        }
    }
}

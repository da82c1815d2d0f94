using System.Globalization;
using Hako.Contracts;

namespace Hako.Client;

public sealed partial class HakoClient
{
    /// <summary>Longest single /wait call; kept under HttpClient's 100 s default timeout.</summary>
    private static readonly TimeSpan WaitChunk = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>GET /v1/operations.</summary>
    public Task<List<OperationInfo>> ListOperationsAsync(CancellationToken cancellationToken = default) =>
        GetAsync("v1/operations", HakoJsonContext.Default.ListOperationInfo, cancellationToken);

    /// <summary>GET /v1/operations/{id}.</summary>
    public Task<OperationInfo> GetOperationAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync($"v1/operations/{Segment(id)}", HakoJsonContext.Default.OperationInfo, cancellationToken);

    /// <summary>
    /// Waits for the operation to end with /v1/operations/{id}/wait calls. Returns it when it succeeded;
    /// throws <see cref="HakoApiException"/> carrying its error when it failed, or code Busy when
    /// <paramref name="timeout"/> (null: no limit) passes first.
    /// </summary>
    public async Task<OperationInfo> WaitAsync(string id, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var deadline = timeout is { } t ? DateTimeOffset.UtcNow + t : DateTimeOffset.MaxValue;
        while (true)
        {
            var remaining = deadline - DateTimeOffset.UtcNow;
            var chunk = remaining < WaitChunk ? remaining : WaitChunk;
            var seconds = Math.Max(0, (int)Math.Ceiling(chunk.TotalSeconds));
            var operation = await GetAsync(
                $"v1/operations/{Segment(id)}/wait?timeout={seconds.ToString(CultureInfo.InvariantCulture)}",
                HakoJsonContext.Default.OperationInfo, cancellationToken).ConfigureAwait(false);
            if (IsDone(operation))
            {
                return ThrowIfFailed(operation);
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw StillRunning(operation, timeout!.Value);
            }
        }
    }

    /// <summary>
    /// Polls GET /v1/operations/{id} every <paramref name="pollInterval"/> (default 200 ms), handing each
    /// state to <paramref name="onProgress"/> (for progress bars), until it ends. Same outcome as <see cref="WaitAsync"/>.
    /// </summary>
    public async Task<OperationInfo> WatchAsync(string id, Action<OperationInfo> onProgress, TimeSpan? pollInterval = null,
        TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onProgress);
        var interval = pollInterval ?? DefaultPollInterval;
        var deadline = timeout is { } t ? DateTimeOffset.UtcNow + t : DateTimeOffset.MaxValue;
        while (true)
        {
            var operation = await GetOperationAsync(id, cancellationToken).ConfigureAwait(false);
            onProgress(operation);
            if (IsDone(operation))
            {
                return ThrowIfFailed(operation);
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw StillRunning(operation, timeout!.Value);
            }

            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True once the operation has ended, whatever the outcome.</summary>
    public static bool IsDone(OperationInfo operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return operation.Status is not ("running" or "pending" or "queued") || operation.FinishedAt is not null;
    }

    private static OperationInfo ThrowIfFailed(OperationInfo operation)
    {
        if (operation.Status == "succeeded")
        {
            return operation;
        }

        if (operation.Error is { } problem)
        {
            throw HakoApiException.FromProblem(problem);
        }

        throw new HakoApiException(nameof(ErrorCode.Internal), 0,
            $"Operation {operation.Id} ({operation.Kind} {operation.Target}) ended {operation.Status} without an error report");
    }

    private static HakoApiException StillRunning(OperationInfo operation, TimeSpan timeout) =>
        new(nameof(ErrorCode.Busy), 0,
            $"Operation {operation.Id} ({operation.Kind} {operation.Target}) is still running after {timeout.TotalSeconds:0} s " +
            $"(at {operation.Progress}%{(operation.Step is null ? "" : ": " + operation.Step)}); follow it with: hako operation wait {operation.Id}");
}

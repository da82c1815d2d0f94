using System.Collections.Concurrent;
using Hako.Contracts;
using Hako.Daemon.Api;

namespace Hako.Daemon.Operations;

/// <summary>A running or finished background operation; progress is reported by the work itself.</summary>
public sealed class Operation
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public required string Id { get; init; }
    public required string Kind { get; init; }
    public required string Target { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string Status { get; private set; } = "running";
    public int Progress { get; private set; }
    public string? Step { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    public ProblemInfo? Error { get; private set; }
    public IReadOnlyList<string>? Warnings { get; init; }

    /// <summary>Live progress and final report of a migration; replaced as a whole by the work, read by pollers.</summary>
    public MigrationInfo? Migration { get; set; }

    /// <summary>Live summary of an evacuation.</summary>
    public EvacuationInfo? Evacuation { get; set; }

    public Task Completion => _done.Task;

    public void Report(int percent, string step)
    {
        Progress = Math.Clamp(percent, 0, 100);
        Step = step;
    }

    internal void Finish(DateTimeOffset when, ProblemInfo? error)
    {
        Error = error;
        Status = error is null ? "succeeded" : "failed";
        if (error is null)
        {
            Progress = 100;
        }

        FinishedAt = when;
        _done.TrySetResult();
    }

    public OperationInfo ToInfo() => new()
    {
        Id = Id, Kind = Kind, Target = Target, Status = Status, Progress = Progress, Step = Step,
        CreatedAt = CreatedAt, FinishedAt = FinishedAt, Error = Error, Warnings = Warnings,
        Migration = Migration, Evacuation = Evacuation,
    };
}

/// <summary>Starts operations in the background and keeps the recent ones for polling and waiting.</summary>
public sealed class OperationManager(TimeProvider time, ILogger<OperationManager> log)
{
    private readonly ConcurrentDictionary<string, Operation> _ops = new();

    public Operation Start(string kind, string target, Func<Operation, Task> work, IReadOnlyList<string>? warnings = null)
    {
        Prune();
        var op = new Operation
        {
            Id = Guid.NewGuid().ToString("n"), Kind = kind, Target = target, CreatedAt = time.GetUtcNow(),
            Warnings = warnings is { Count: > 0 } ? warnings : null,
        };
        _ops[op.Id] = op;
        _ = Task.Run(async () =>
        {
            ProblemInfo? error = null;
            try
            {
                await work(op);
            }
            catch (Exception e)
            {
                error = Problems.From(e);
                Log.OperationFailed(log, op.Kind, op.Target, e.Message, e);
            }

            op.Finish(time.GetUtcNow(), error);
        });
        return op;
    }

    public Operation? Get(string id) => _ops.GetValueOrDefault(id);

    public IReadOnlyList<Operation> List() => [.. _ops.Values.OrderByDescending(o => o.CreatedAt)];

    /// <summary>Keeps finished operations for 10 minutes so a client can still read how they ended.</summary>
    private void Prune()
    {
        var cutoff = time.GetUtcNow().AddMinutes(-10);
        foreach (var (id, op) in _ops)
        {
            if (op.FinishedAt < cutoff)
            {
                _ops.TryRemove(id, out _);
            }
        }
    }
}

namespace Hako.Daemon;

/// <summary>Source-generated log messages with stable event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "hakod {Version} listening on {Socket} (data dir {DataDir}, node {Node}, cgroup {Cgroup})")]
    public static partial void Started(ILogger log, string version, string socket, string dataDir, string node, string cgroup);

    [LoggerMessage(4, LogLevel.Information, "hakod also serves {Url}; TLS certificate fingerprint {Fingerprint} (clients pin it: hako remote add NAME URL --token T)")]
    public static partial void Listening(ILogger log, string url, string fingerprint);

    [LoggerMessage(2, LogLevel.Warning, "Operation {Kind} on {Target} failed: {Message}")]
    public static partial void OperationFailed(ILogger log, string kind, string target, string message, Exception exception);

    [LoggerMessage(3, LogLevel.Information, "Container {Name}: {Action}")]
    public static partial void ContainerAction(ILogger log, string name, string action);

    [LoggerMessage(10, LogLevel.Warning, "Reconcile: {Message}")]
    public static partial void Drift(ILogger log, string message);

    [LoggerMessage(11, LogLevel.Information, "Reconcile: {Message}")]
    public static partial void Repaired(ILogger log, string message);

    [LoggerMessage(20, LogLevel.Information, "Container {Name} hit {Counter} ({Delta} more, {Detail})")]
    public static partial void LimitHit(ILogger log, string name, string counter, long delta, string detail);

    [LoggerMessage(21, LogLevel.Warning, "Limit monitor: {Message}")]
    public static partial void MonitorError(ILogger log, string message, Exception exception);

    [LoggerMessage(40, LogLevel.Warning, "Usage sampler: {Message}")]
    public static partial void SamplerError(ILogger log, string message, Exception exception);

    [LoggerMessage(30, LogLevel.Debug, "Event {Type} on {Container} {Counter} {Detail}")]
    public static partial void EventPublished(ILogger log, string container, string type, string counter, string detail);

    [LoggerMessage(31, LogLevel.Warning, "Event stream subscriber fell {Queue} events behind; disconnected it (it resumes from the store)")]
    public static partial void EventSubscriberDropped(ILogger log, int queue);

    [LoggerMessage(32, LogLevel.Information, "Pruned {Count} events older than {Retention}")]
    public static partial void EventsPruned(ILogger log, int count, string retention);

    [LoggerMessage(33, LogLevel.Warning, "Event pruning failed: {Message}")]
    public static partial void EventPruneFailed(ILogger log, string message, Exception exception);

    [LoggerMessage(50, LogLevel.Information, "Migrated {Name} to {Target}: {Passes} passes, {Bytes} bytes, downtime {DowntimeMs:0} ms")]
    public static partial void Migrated(ILogger log, string name, string target, int passes, long bytes, double downtimeMs);

    [LoggerMessage(51, LogLevel.Warning, "Migration of {Name} to {Target} failed and was rolled back: {Message}")]
    public static partial void MigrationFailed(ILogger log, string name, string target, string message, Exception exception);

    [LoggerMessage(52, LogLevel.Warning, "Migration undo step failed (the target cleans up at its next start): {Message}")]
    public static partial void UndoFailed(ILogger log, string message, Exception exception);

    [LoggerMessage(53, LogLevel.Information, "Evacuation of {Node}: {Name} {Outcome}")]
    public static partial void Evacuated(ILogger log, string node, string name, string outcome);

    [LoggerMessage(12, LogLevel.Warning, "Undo of a failed {Action} on {Target} did not finish (reconcile at the next start cleans up): {Message}")]
    public static partial void UndoStepFailed(ILogger log, string action, string target, string message, Exception exception);

    [LoggerMessage(60, LogLevel.Information, "Anti-spoofing: {Message}")]
    public static partial void AntiSpoof(ILogger log, string message);
}

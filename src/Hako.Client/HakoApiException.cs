using Hako.Contracts;

namespace Hako.Client;

/// <summary>
/// An error answered by hakod (problem+json) or met on the way to it. <see cref="Code"/> is one of
/// <see cref="ErrorCode"/>'s names, or <see cref="DaemonNotRunningCode"/> when no hakod answered.
/// </summary>
public sealed class HakoApiException : Exception
{
    /// <summary>No hakod listens where the client looked (missing socket, connection refused).</summary>
    public const string DaemonNotRunningCode = "DaemonNotRunning";

    public HakoApiException(string code, int status, string title, string? detail = null,
        IReadOnlyList<string>? errors = null, Exception? innerException = null)
        : base(detail ?? title, innerException)
    {
        Code = code;
        Status = status;
        Title = title;
        Detail = detail;
        Errors = errors ?? [];
    }

    public HakoApiException()
        : this(nameof(ErrorCode.Internal), 0, "hakod request failed")
    {
    }

    public HakoApiException(string message)
        : this(nameof(ErrorCode.Internal), 0, message)
    {
    }

    public HakoApiException(string message, Exception innerException)
        : this(nameof(ErrorCode.Internal), 0, message, innerException: innerException)
    {
    }

    /// <summary>Stable error code, e.g. NotFound, InsufficientResources, DaemonNotRunning.</summary>
    public string Code { get; }

    /// <summary>HTTP status of the answer; 0 when no answer came.</summary>
    public int Status { get; }

    public string Title { get; }

    public string? Detail { get; }

    /// <summary>Every problem found (validation reports them all at once).</summary>
    public IReadOnlyList<string> Errors { get; }

    public static HakoApiException FromProblem(ProblemInfo problem, Exception? innerException = null) =>
        new(problem.Code, problem.Status, problem.Title, problem.Detail, problem.Errors, innerException);

    /// <summary>Same kind of code hakod would send for this status, for answers without a problem body.</summary>
    internal static string CodeForStatus(int status) => status switch
    {
        400 => nameof(ErrorCode.InvalidArgument),
        401 => nameof(ErrorCode.Unauthorized),
        403 => nameof(ErrorCode.PermissionDenied),
        404 => nameof(ErrorCode.NotFound),
        409 => nameof(ErrorCode.Conflict),
        501 => nameof(ErrorCode.Unsupported),
        507 => nameof(ErrorCode.InsufficientResources), // older hakods answered admission refusals with 507
        _ => nameof(ErrorCode.Internal),
    };
}

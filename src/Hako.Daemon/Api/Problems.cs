using Hako.Contracts;
using Hako.Core.Errors;

namespace Hako.Daemon.Api;

/// <summary>The one place where error codes become HTTP statuses and problem+json bodies (incus response/smart.go).</summary>
public static class Problems
{
    public static int StatusFor(ErrorCode code) => code switch
    {
        ErrorCode.InvalidArgument => StatusCodes.Status400BadRequest,
        ErrorCode.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorCode.PermissionDenied => StatusCodes.Status403Forbidden,
        ErrorCode.NotFound => StatusCodes.Status404NotFound,
        // A refusal because the node is full now (admission, free space) is the client's request
        // conflicting with the node's state: 409 with its own code, never a 5xx server error. A request
        // that could never fit (more than the node has at all) is InvalidArgument, 400.
        ErrorCode.AlreadyExists or ErrorCode.Conflict or ErrorCode.Busy or ErrorCode.NotRunning
            or ErrorCode.InsufficientResources => StatusCodes.Status409Conflict,
        ErrorCode.Unsupported => StatusCodes.Status501NotImplemented,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static ProblemInfo From(Exception e)
    {
        var (code, errors) = e switch
        {
            HakoException h => (h.Code, h.Errors),
            BadHttpRequestException or System.Text.Json.JsonException => (ErrorCode.InvalidArgument, (IReadOnlyList<string>?)null),
            _ => (ErrorCode.Internal, null),
        };
        var detail = e is System.Text.Json.JsonException or BadHttpRequestException
            ? $"The request body is not valid JSON for this endpoint: {e.Message}"
            : e.Message;
        return new ProblemInfo
        {
            Type = $"https://hako.dev/errors/{code}",
            Title = code.ToString(),
            Status = StatusFor(code),
            Detail = detail,
            Code = code.ToString(),
            Errors = errors,
        };
    }

    public static IResult Result(ProblemInfo p) =>
        Results.Json(p, HakoJsonContext.Default.ProblemInfo, contentType: "application/problem+json", statusCode: p.Status);
}

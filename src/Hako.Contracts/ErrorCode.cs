namespace Hako.Contracts;

/// <summary>Stable error codes. They appear in problem+json bodies as <c>code</c> and never change meaning.</summary>
public enum ErrorCode
{
    Internal,
    InvalidArgument,
    NotFound,
    AlreadyExists,
    Conflict,
    Busy,
    NotRunning,
    InsufficientResources,
    PermissionDenied,
    Unsupported,
    Unauthorized,
}

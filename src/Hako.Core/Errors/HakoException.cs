using Hako.Contracts;

namespace Hako.Core.Errors;

/// <summary>The one exception root: every failure Hako reports carries a stable <see cref="ErrorCode"/>.</summary>
public class HakoException : Exception
{
    public HakoException(ErrorCode code, string message, Exception? inner = null)
        : base(message, inner) => Code = code;

    public HakoException(ErrorCode code, string message, IReadOnlyList<string> errors)
        : base(message) => (Code, Errors) = (code, errors);

    public ErrorCode Code { get; }

    /// <summary>Every problem found, when validation reports several at once.</summary>
    public IReadOnlyList<string>? Errors { get; }

    public static HakoException NotFound(string what) => new(ErrorCode.NotFound, what);
    public static HakoException Invalid(string what) => new(ErrorCode.InvalidArgument, what);
    public static HakoException Conflict(string what) => new(ErrorCode.Conflict, what);
    public static HakoException Busy(string what) => new(ErrorCode.Busy, what);
}

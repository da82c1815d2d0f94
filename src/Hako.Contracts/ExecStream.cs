namespace Hako.Contracts;

/// <summary>
/// The body of POST /v1/containers/{name}/exec/stream: a sequence of frames, each a kind byte, a 4-byte
/// big-endian payload length and the payload. Stdout and stderr frames carry raw bytes as the command
/// printed them; the stream ends with exactly one Exit frame (payload: the exit code, 4-byte big-endian
/// int32) or one Error frame (payload: a problem+json object, UTF-8) when hakod could not finish.
/// </summary>
public static class ExecStream
{
    public const string ContentType = "application/vnd.hako.exec-stream";

    /// <summary>Frames hakod sends are at most this big; a reader refuses anything bigger.</summary>
    public const int MaxPayload = 1 << 20;

    public const int HeaderLength = 5;
}

public enum ExecFrameKind : byte
{
    Stdout = 1,
    Stderr = 2,
    Exit = 3,
    Error = 4,
}

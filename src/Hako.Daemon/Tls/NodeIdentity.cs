namespace Hako.Daemon.Tls;

/// <summary>What this node tells about its TLS identity: the fingerprint clients pin, or null without TLS.</summary>
public sealed record NodeIdentity(string? Fingerprint);

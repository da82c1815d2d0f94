using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Hako.Client;
using Hako.Contracts;
using Hako.Core.Errors;

namespace Hako.Daemon.Tls;

/// <summary>
/// The node's TLS identity for its TCP API: a self-signed ECDSA P-256 certificate made at the first start
/// with --listen and kept in DATA-DIR/tls/ (key 0600, created with that mode). Clients do not trust it
/// through a CA: they pin its SHA-256 fingerprint on first contact (hako remote add, hako node add).
/// </summary>
public sealed class NodeCertificate
{
    private NodeCertificate(X509Certificate2 certificate)
    {
        Certificate = certificate;
        Fingerprint = CertificatePin.Fingerprint(certificate);
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>"sha256:..." as clients pin it.</summary>
    public string Fingerprint { get; }

    public static string Directory(string dataDir) => Path.Combine(dataDir, "tls");

    /// <summary>Loads DATA-DIR/tls/hakod.{crt,key}, or makes them (valid 10 years) when missing.</summary>
    public static NodeCertificate LoadOrCreate(string dataDir, string nodeName, TimeProvider time)
    {
        var dir = Directory(dataDir);
        var crt = Path.Combine(dir, "hakod.crt");
        var key = Path.Combine(dir, "hakod.key");
        if (!File.Exists(crt) || !File.Exists(key))
        {
            System.IO.Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN=hakod {nodeName}", ecdsa, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(nodeName);
            san.AddDnsName("localhost");
            san.AddIpAddress(IPAddress.Loopback);
            san.AddIpAddress(IPAddress.IPv6Loopback);
            request.CertificateExtensions.Add(san.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            var now = time.GetUtcNow();
            using var made = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
            // The key is a secret: created 0600 (never written and then chmod'ed), then moved into place.
            Linux.Files.SecretFile.Write(key, ecdsa.ExportPkcs8PrivateKeyPem());
            Linux.Files.SecretFile.Write(crt, made.ExportCertificatePem());
        }

        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(crt, key);
            // Kestrel's SslStream wants a certificate whose key is not ephemeral on some platforms: round-trip through PKCS#12.
            return new NodeCertificate(X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null));
        }
        catch (CryptographicException e)
        {
            throw new HakoException(ErrorCode.Internal,
                $"The TLS certificate in {dir} cannot be read ({e.Message}); move that directory away and restart hakod to make a new one (clients must then pin the new fingerprint)", e);
        }
    }
}

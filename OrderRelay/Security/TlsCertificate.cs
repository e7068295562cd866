using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OrderRelay.Configuration;

namespace OrderRelay.Security;

/// <summary>Loads the configured certificate for Kestrel: PFX/PKCS#12, or PEM with its key.</summary>
internal static class TlsCertificate
{
    public static X509Certificate2 Load(TlsOptions tls)
    {
        try
        {
            var password = tls.Password.Length > 0 ? tls.Password : null;
            if (!IsPem(tls.CertificatePath))
            {
                return X509CertificateLoader.LoadPkcs12FromFile(tls.CertificatePath, password);
            }

            var keyPath = tls.KeyPath.Length > 0 ? tls.KeyPath : tls.CertificatePath;
            var pem = password is null
                ? X509Certificate2.CreateFromPemFile(tls.CertificatePath, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(tls.CertificatePath, password, keyPath);
            // Re-imported so the private key is usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new RelayStartupException(
                $"Relay:Tls:CertificatePath '{tls.CertificatePath}' could not be loaded as a certificate with its private key: {ex.Message}", ex);
        }
    }

    private static bool IsPem(string path) =>
        File.Exists(path) && File.ReadAllText(path).Contains("-----BEGIN", StringComparison.Ordinal);
}

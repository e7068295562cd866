namespace OrderRelay.Configuration;

/// <summary>The <c>Relay:Tls</c> section: a certificate turns <c>ws://</c> into <c>wss://</c> (and HTTP into HTTPS).</summary>
internal sealed class TlsOptions
{
    /// <summary>A PFX/PKCS#12 file, or a PEM certificate (with <see cref="KeyPath"/>).</summary>
    public string CertificatePath { get; set; } = "";

    /// <summary>The PEM private key; empty when the PEM file holds the key too, or for PFX.</summary>
    public string KeyPath { get; set; } = "";

    /// <summary>Password of the PFX file or of an encrypted PEM key.</summary>
    public string Password { get; set; } = "";

    public bool Enabled => CertificatePath.Length > 0;
}

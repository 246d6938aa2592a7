package dev.keel.sandbox.internal;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * One sandbox's certificate authority for HTTPS interception: a fresh EC P-256 key made when the sandbox
 * starts and never written to disk, whose certificate the guest trusts. For each host with a credential
 * rule the proxy presents a leaf certificate issued by it, so it can read the request and set the header.
 * The key dies with the sandbox, so a certificate taken from one guest is worthless in any other.
 * Thread-safe.
 */
final class SandboxCa {
    private static final Duration VALIDITY = Duration.ofDays(7);

    private final SecureRandom random = new SecureRandom();
    private final KeyPair caKeys;
    private final X509Certificate caCert;
    private final Map<String, SSLContext> contexts = new ConcurrentHashMap<>();

    SandboxCa(String sandboxName) {
        try {
            caKeys = newKey();
            X500Name subject = new X500Name("CN=Keel sandbox " + sandboxName + " CA,O=Keel");
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, caKeys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            caCert = sign(b);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the sandbox CA", e);
        }
    }

    /** The CA certificate in PEM, for the guest's trust store. */
    String pem() {
        try {
            StringWriter w = new StringWriter();
            w.write("-----BEGIN CERTIFICATE-----\n");
            w.write(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(caCert.getEncoded()));
            w.write("\n-----END CERTIFICATE-----\n");
            return w.toString();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    X509Certificate certificate() {
        return caCert;
    }

    /** Turns an accepted connection into the server end of a TLS session for {@code host}; handshakes. */
    SSLSocket serve(Socket client, String host) throws IOException {
        SSLSocket tls = (SSLSocket) context(host).getSocketFactory().createSocket(client, null, true);
        tls.setUseClientMode(false);
        tls.startHandshake();
        return tls;
    }

    SSLContext context(String host) {
        return contexts.computeIfAbsent(host.toLowerCase(java.util.Locale.ROOT), h -> {
            try {
                KeyPair leaf = newKey();
                Instant now = Instant.now();
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial(),
                        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)),
                        new X500Name("CN=" + h), leaf.getPublic());
                boolean ip = h.matches("[0-9.]+") || h.contains(":");
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, h)));
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
                X509Certificate cert = sign(b);
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                char[] pass = new char[0];
                ks.setKeyEntry("leaf", leaf.getPrivate(), pass, new Certificate[] {cert, caCert});
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, pass);
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(kmf.getKeyManagers(), null, random);
                return ctx;
            } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
                throw new IllegalStateException("cannot issue a certificate for " + h, e);
            }
        });
    }

    private X509Certificate sign(X509v3CertificateBuilder b) throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
    }

    private KeyPair newKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), random);
        return g.generateKeyPair();
    }

    private BigInteger serial() {
        return new BigInteger(64, random).add(BigInteger.ONE);
    }

    @Override
    public String toString() {
        return "SandboxCa[" + caCert.getSubjectX500Principal().getName() + "]";
    }
}

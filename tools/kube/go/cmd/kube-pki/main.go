// Command kube-pki writes the certificates and keys one throw-away control plane needs:
// a CA, the API server's serving certificate, an admin client certificate in
// system:masters and the service-account token signing key pair.
//
// It lives beside the server binaries so tests need nothing but this module's output
// (no openssl flags that differ between versions).
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Throw-away clusters live for minutes; a day leaves room for a long debugging session.
const validity = 24 * time.Hour

type keyPair struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func main() {
	outDir := flag.String("out", "", "directory to write the PEM files into")
	flag.Parse()
	if *outDir == "" {
		fmt.Fprintln(os.Stderr, "usage: kube-pki -out DIR")
		os.Exit(2)
	}
	if err := writeControlPlanePKI(*outDir); err != nil {
		fmt.Fprintln(os.Stderr, "kube-pki:", err)
		os.Exit(1)
	}
}

func writeControlPlanePKI(outDir string) error {
	if err := os.MkdirAll(outDir, 0o700); err != nil {
		return err
	}
	ca, err := newCertificateAuthority()
	if err != nil {
		return err
	}
	serving, err := newSignedPair(ca, servingTemplate())
	if err != nil {
		return err
	}
	admin, err := newSignedPair(ca, adminClientTemplate())
	if err != nil {
		return err
	}
	serviceAccountKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	for name, pair := range map[string]keyPair{"ca": ca, "apiserver": serving, "admin": admin} {
		if err := writePair(outDir, name, pair); err != nil {
			return err
		}
	}
	if err := writePrivateKey(filepath.Join(outDir, "sa.key"), serviceAccountKey); err != nil {
		return err
	}
	return writePublicKey(filepath.Join(outDir, "sa.pub"), serviceAccountKey)
}

func newCertificateAuthority() (keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return keyPair{}, err
	}
	template := baseTemplate(pkix.Name{CommonName: "privatejet-test-ca"})
	template.IsCA = true
	template.BasicConstraintsValid = true
	template.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return keyPair{}, err
	}
	cert, err := x509.ParseCertificate(der)
	return keyPair{cert: cert, key: key}, err
}

// servingTemplate covers every name a client on this machine or a pod could use.
func servingTemplate() *x509.Certificate {
	template := baseTemplate(pkix.Name{CommonName: "kube-apiserver"})
	template.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	template.DNSNames = []string{
		"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
		"kubernetes.default.svc.cluster.local",
	}
	template.IPAddresses = []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1"), net.ParseIP("10.0.0.1")}
	return template
}

// adminClientTemplate is the kubeadm-style admin identity: the group system:masters
// bypasses RBAC, so test set-up can create anything.
func adminClientTemplate() *x509.Certificate {
	template := baseTemplate(pkix.Name{CommonName: "kubernetes-admin", Organization: []string{"system:masters"}})
	template.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	return template
}

func baseTemplate(subject pkix.Name) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      subject,
		// Backdated so a clock a little behind still accepts a freshly made certificate.
		NotBefore: now.Add(-time.Hour),
		NotAfter:  now.Add(validity),
		KeyUsage:  x509.KeyUsageDigitalSignature,
	}
}

func newSignedPair(ca keyPair, template *x509.Certificate) (keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return keyPair{}, err
	}
	der, err := x509.CreateCertificate(rand.Reader, template, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return keyPair{}, err
	}
	cert, err := x509.ParseCertificate(der)
	return keyPair{cert: cert, key: key}, err
}

func writePair(outDir, name string, pair keyPair) error {
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pair.cert.Raw})
	if err := os.WriteFile(filepath.Join(outDir, name+".crt"), certPEM, 0o644); err != nil {
		return err
	}
	return writePrivateKey(filepath.Join(outDir, name+".key"), pair.key)
}

func writePrivateKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}

func writePublicKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644)
}

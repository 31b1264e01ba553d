// Command kube-pki writes the certificates and keys one throw-away control plane needs:
// a CA, the API server's serving certificate, an admin client certificate in
// system:masters and the service-account token signing key pair. A full cluster asks for
// more: extra addresses the API server is reached at (-ip) and one client certificate per
// component (-client), each named after the Kubernetes user and groups it stands for.
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
	"regexp"
	"strings"
	"time"
)

// Throw-away clusters live for minutes; a day leaves room for a long debugging session.
const validity = 24 * time.Hour

type keyPair struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// clientIdentity is one -client flag: FILE=USER or FILE=USER/GROUP1,GROUP2.
type clientIdentity struct {
	file   string
	user   string
	groups []string
}

var clientFlagPattern = regexp.MustCompile(`^([a-z0-9-]+)=([^/=]+)(?:/(.+))?$`)

func main() {
	outDir := flag.String("out", "", "directory to write the PEM files into")
	var extraIPs []net.IP
	flag.Func("ip", "another address the API server is reached at (repeatable)", func(value string) error {
		ip := net.ParseIP(value)
		if ip == nil {
			return fmt.Errorf("not an IP address: %q", value)
		}
		extraIPs = append(extraIPs, ip)
		return nil
	})
	var clients []clientIdentity
	flag.Func("client", "FILE=USER[/GROUP,...]: also write FILE.crt and FILE.key for that user (repeatable)", func(value string) error {
		match := clientFlagPattern.FindStringSubmatch(value)
		if match == nil || match[1] == "ca" || match[1] == "apiserver" || match[1] == "sa" {
			return fmt.Errorf("expected FILE=USER[/GROUP,...] with a file name other than ca, apiserver, sa: %q", value)
		}
		client := clientIdentity{file: match[1], user: match[2]}
		if match[3] != "" {
			client.groups = strings.Split(match[3], ",")
		}
		clients = append(clients, client)
		return nil
	})
	flag.Parse()
	if *outDir == "" {
		fmt.Fprintln(os.Stderr, "usage: kube-pki -out DIR [-ip ADDRESS]... [-client FILE=USER[/GROUP,...]]...")
		os.Exit(2)
	}
	if err := writeControlPlanePKI(*outDir, extraIPs, clients); err != nil {
		fmt.Fprintln(os.Stderr, "kube-pki:", err)
		os.Exit(1)
	}
}

func writeControlPlanePKI(outDir string, extraIPs []net.IP, clients []clientIdentity) error {
	if err := os.MkdirAll(outDir, 0o700); err != nil {
		return err
	}
	ca, err := newCertificateAuthority()
	if err != nil {
		return err
	}
	serving, err := newSignedPair(ca, servingTemplate(extraIPs))
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
	for _, client := range clients {
		pair, err := newSignedPair(ca, clientTemplate(client.user, client.groups))
		if err != nil {
			return err
		}
		if err := writePair(outDir, client.file, pair); err != nil {
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
func servingTemplate(extraIPs []net.IP) *x509.Certificate {
	template := baseTemplate(pkix.Name{CommonName: "kube-apiserver"})
	template.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	template.DNSNames = []string{
		"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
		"kubernetes.default.svc.cluster.local",
	}
	template.IPAddresses = []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1"), net.ParseIP("10.0.0.1")}
	template.IPAddresses = append(template.IPAddresses, extraIPs...)
	return template
}

// adminClientTemplate is the kubeadm-style admin identity: the group system:masters
// bypasses RBAC, so test set-up can create anything.
func adminClientTemplate() *x509.Certificate {
	return clientTemplate("kubernetes-admin", []string{"system:masters"})
}

// clientTemplate: the API server takes the common name as the user and the organizations
// as its groups (system:node:<name> in system:nodes for a kubelet, and so on).
func clientTemplate(user string, groups []string) *x509.Certificate {
	template := baseTemplate(pkix.Name{CommonName: user, Organization: groups})
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

// kube-harness runs a real kube-apiserver backed by an in-process etcd, for
// Switchboard's controller tests, and doubles as a version-matched kubectl.
//
//	kube-harness apiserver --dir STATE --port 6443 --etcd-port 2379
//	kube-harness kubectl --kubeconfig STATE/kubeconfig get llmroutes
//
// The state directory keeps etcd's data, the serving certificates, the
// service-account key and the admin token, so a restarted harness comes back
// with the same objects on the same address (the tests restart it mid-run).
// Every request touching a Secret is written, with the server's answer, to
// STATE/audit.log (JSON lines): the tests read it to prove which Secrets the
// gateway never read.
package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/component-base/cli"
	kubectlcmd "k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"

	_ "k8s.io/component-base/logs/json/register"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kube-harness apiserver|kubectl ...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "kubectl":
		os.Args = append([]string{"kubectl"}, os.Args[2:]...)
		os.Exit(cli.Run(kubectlcmd.NewDefaultKubectlCommand()))
	case "apiserver":
		if err := runAPIServer(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "kube-harness:", err)
			os.Exit(1)
		}
	default:
		fmt.Fprintf(os.Stderr, "kube-harness: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}

func runAPIServer(argv []string) error {
	fs := flag.NewFlagSet("apiserver", flag.ExitOnError)
	dir := fs.String("dir", "", "state directory (etcd data, certs, keys, kubeconfig)")
	port := fs.Int("port", 6443, "kube-apiserver secure port on 127.0.0.1")
	etcdPort := fs.Int("etcd-port", 2379, "etcd client port on 127.0.0.1")
	etcdPeerPort := fs.Int("etcd-peer-port", 0, "etcd peer port on 127.0.0.1 (default: client port + 1)")
	verbosity := fs.String("v", "0", "kube-apiserver log verbosity")
	_ = fs.Parse(argv)
	if *dir == "" {
		return errors.New("--dir is required")
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}

	if *etcdPeerPort == 0 {
		*etcdPeerPort = *etcdPort + 1
	}
	etcd, err := startEtcd(filepath.Join(*dir, "etcd"), *etcdPort, *etcdPeerPort)
	if err != nil {
		return fmt.Errorf("etcd: %w", err)
	}
	defer etcd.Close()

	token, err := readOrCreate(filepath.Join(*dir, "admin.token"), func() ([]byte, error) {
		b := make([]byte, 24)
		_, err := rand.Read(b)
		return []byte(hex.EncodeToString(b)), err
	})
	if err != nil {
		return err
	}
	tokensFile := filepath.Join(*dir, "tokens.csv")
	if err := os.WriteFile(tokensFile, []byte(fmt.Sprintf("%s,admin,admin-uid,system:masters\n", token)), 0o600); err != nil {
		return err
	}
	saKey := filepath.Join(*dir, "sa.key")
	if _, err := readOrCreate(saKey, func() ([]byte, error) {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), nil
	}); err != nil {
		return err
	}

	auditPolicy := filepath.Join(*dir, "audit-policy.yaml")
	if err := os.WriteFile(auditPolicy, []byte(secretsAuditPolicy), 0o600); err != nil {
		return err
	}

	server := fmt.Sprintf("https://127.0.0.1:%d", *port)
	cmd := app.NewAPIServerCommand()
	cmd.SetArgs([]string{
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", *etcdPort),
		fmt.Sprintf("--secure-port=%d", *port),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--endpoint-reconciler-type=none",
		"--cert-dir=" + filepath.Join(*dir, "certs"),
		"--token-auth-file=" + tokensFile,
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + saKey,
		"--service-account-signing-key-file=" + saKey,
		"--service-cluster-ip-range=10.96.0.0/16",
		"--enable-priority-and-fairness=false",
		"--audit-policy-file=" + auditPolicy,
		"--audit-log-path=" + filepath.Join(*dir, "audit.log"),
		// Written before the response completes, so a test reading the log after a request sees it.
		"--audit-log-mode=blocking",
		"--audit-log-format=json",
		"--v=" + *verbosity,
	})
	done := make(chan error, 1)
	go func() { done <- cmd.Execute() }()

	if err := waitReady(server, string(token), done); err != nil {
		return err
	}
	kubeconfig := filepath.Join(*dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(renderKubeconfig(server, string(token))), 0o600); err != nil {
		return err
	}
	// The tests wait for this exact line.
	fmt.Printf("READY %s %s\n", server, kubeconfig)
	return <-done
}

// secretsAuditPolicy logs every request on Secrets with the response body
// (list answers; watches get their request line), and nothing else.
const secretsAuditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: RequestResponse
    resources:
      - group: ""
        resources: ["secrets"]
  - level: None
`

func startEtcd(dataDir string, port, peerPort int) (*embed.Etcd, error) {
	cfg := embed.NewConfig()
	cfg.Dir = dataDir
	cfg.LogLevel = "error"
	client := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", port)}
	peer := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", peerPort)}
	cfg.ListenClientUrls = []url.URL{client}
	cfg.AdvertiseClientUrls = []url.URL{client}
	cfg.ListenPeerUrls = []url.URL{peer}
	cfg.AdvertisePeerUrls = []url.URL{peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, nil
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, errors.New("etcd did not become ready in 60s")
	}
}

func waitReady(server, token string, apiserverDone <-chan error) error {
	client := &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, //nolint:gosec // local test server with a self-signed cert
	}
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	for {
		select {
		case err := <-apiserverDone:
			return fmt.Errorf("kube-apiserver exited before ready: %v", err)
		case <-ctx.Done():
			return errors.New("kube-apiserver not ready in 180s")
		case <-time.After(200 * time.Millisecond):
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, server+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := client.Do(req)
		if err != nil {
			continue
		}
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			return nil
		}
	}
}

func renderKubeconfig(server, token string) string {
	return strings.TrimLeft(fmt.Sprintf(`
apiVersion: v1
kind: Config
clusters:
- name: harness
  cluster:
    server: %s
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: %s
contexts:
- name: harness
  context:
    cluster: harness
    user: admin
    namespace: default
current-context: harness
`, server, token), "\n")
}

// readOrCreate returns the file's content, creating it with make() first if absent.
func readOrCreate(path string, make func() ([]byte, error)) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil {
		return b, nil
	}
	b, err := make()
	if err != nil {
		return nil, err
	}
	return b, os.WriteFile(path, b, 0o600)
}

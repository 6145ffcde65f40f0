package cloudconnexa

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMain starts a fresh emulator (without rate limits, since the tests
// make tens of thousands of calls) unless the environment already names
// one on loopback, as scripts/with-emulator does. A real tenant's URL in
// the environment is never used: the tests create and delete objects.
func TestMain(m *testing.M) {
	if onLoopback(os.Getenv("CLOUDCONNEXA_API_URL")) {
		os.Exit(m.Run())
	}
	stop, err := startEmulator()
	if err != nil {
		fmt.Fprintln(os.Stderr, "emulator:", err)
		os.Exit(2)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

func onLoopback(apiURL string) bool {
	u, err := url.Parse(apiURL)
	if err != nil || u.Scheme != "http" {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	return u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback())
}

func startEmulator() (func(), error) {
	path := os.Getenv("CCX_EMULATOR")
	if path == "" {
		path = "../../target/debug/ccx-emulator"
	}
	cmd := exec.Command(path, "--no-rate-limit")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w (run 'make build' first)", err)
	}
	stop := func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}

	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "CLOUDCONNEXA_API_URL=") {
		stop()
		return nil, fmt.Errorf("unexpected first line %q: %v", line, err)
	}
	for _, assignment := range strings.Fields(line) {
		name, value, _ := strings.Cut(assignment, "=")
		os.Setenv(name, value)
	}
	return stop, nil
}

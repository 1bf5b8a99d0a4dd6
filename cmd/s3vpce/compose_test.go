package main

// Tests of the compose setup (Dockerfile, docker-compose.yml, docker/) that
// need no Docker engine: the compose file is valid (Debian's docker-compose
// validates it offline), its addresses agree with the emulator's defaults,
// the image's entrypoint runs the real binary with flags that exist, and,
// as root, the entrypoint runs for real in a pair of network namespaces
// wired like the compose network, where the seed's commands run unchanged.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/certs"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

const (
	repoRoot       = "../.."
	composeFile    = repoRoot + "/docker-compose.yml"
	dockerfile     = repoRoot + "/Dockerfile"
	entrypointFile = repoRoot + "/docker/entrypoint.sh"
	healthFile     = repoRoot + "/docker/healthcheck.sh"
	clientResolv   = repoRoot + "/docker/resolv.conf"
)

// composeConfig is the part of `docker-compose config` output the tests read.
type composeConfig struct {
	Services map[string]composeService `json:"services"`
	Networks map[string]struct {
		IPAM struct {
			Config []struct {
				Subnet  string `json:"subnet"`
				Gateway string `json:"gateway"`
				IPRange string `json:"ip_range"`
			} `json:"config"`
		} `json:"ipam"`
	} `json:"networks"`
	Volumes map[string]any `json:"volumes"`
}

type composeService struct {
	Build struct {
		Context string `json:"context"`
		Target  string `json:"target"`
	} `json:"build"`
	CapAdd   []string `json:"cap_add"`
	Command  []string `json:"command"`
	Volumes  []string `json:"volumes"` // short syntax, as docker-compose v1 normalizes them
	Networks map[string]*struct {
		IPv4Address string `json:"ipv4_address"`
	} `json:"networks"`
	DNS         []string          `json:"dns"`
	Environment map[string]string `json:"environment"`
	DependsOn   map[string]struct {
		Condition string `json:"condition"`
	} `json:"depends_on"`
	Healthcheck struct {
		Test []string `json:"test"`
	} `json:"healthcheck"`
}

// dockerCompose returns Debian's docker-compose (v1), which validates a
// compose file against its schema without a Docker engine.
func dockerCompose(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("docker-compose")
	if err != nil {
		t.Fatalf("docker-compose is missing: apt-get install docker-compose (scripts/test installs it)")
	}
	return p
}

// composeCmd runs docker-compose with an environment of its own, so no
// COMPOSE_* or DOCKER_* variable from the machine changes what it reads.
func composeCmd(t *testing.T, file string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), dockerCompose(t), append([]string{"--project-directory", filepath.Dir(file), "-f", file}, args...)...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + t.TempDir(), "LANG=C.UTF-8"}
	return cmd
}

// loadCompose validates docker-compose.yml and returns the configuration as
// docker-compose resolves it. docker-compose prints YAML only; Debian's
// python3-yaml, which docker-compose depends on, turns it into JSON.
func loadCompose(t *testing.T) composeConfig {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := composeCmd(t, absPath(t, composeFile), "config")
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("docker-compose config: %v\n%s", err, errb.String())
	}
	conv := exec.CommandContext(t.Context(), "/usr/bin/python3", "-c",
		"import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)")
	conv.Stdin = &out
	js, err := conv.Output()
	if err != nil {
		t.Fatalf("YAML to JSON with python3-yaml: %v", err)
	}
	var c composeConfig
	if err := json.Unmarshal(js, &c); err != nil {
		t.Fatalf("docker-compose config output: %v\n%s", err, js)
	}
	return c
}

func absPath(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func readText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// entrypoint is what docker/entrypoint.sh does, read from the script.
type entrypoint struct {
	addrs    []netip.Addr      // added to the interface
	defaults map[string]string // dev, bin, data
	args     []string          // s3vpce's arguments, variables substituted, "$@" dropped
}

var (
	epAddrsRE   = regexp.MustCompile(`(?m)^addrs="([^"]*)"$`)
	epDefaultRE = regexp.MustCompile(`(?m)^(\w+)=\$\{S3VPCE_\w+:-([^}]*)\}$`)
	epExecRE    = regexp.MustCompile(`(?m)^exec "\$bin" (.*)$`)
)

func readEntrypoint(t *testing.T) entrypoint {
	t.Helper()
	src := readText(t, entrypointFile)
	ep := entrypoint{defaults: map[string]string{}}
	m := epAddrsRE.FindStringSubmatch(src)
	if m == nil {
		t.Fatalf("%s: no addrs=\"...\" line", entrypointFile)
	}
	for _, f := range strings.Fields(m[1]) {
		a, err := netip.ParseAddr(f)
		if err != nil {
			t.Fatalf("%s: addrs: %v", entrypointFile, err)
		}
		ep.addrs = append(ep.addrs, a)
	}
	for _, d := range epDefaultRE.FindAllStringSubmatch(src, -1) {
		ep.defaults[d[1]] = d[2]
	}
	for _, k := range []string{"dev", "bin", "data"} {
		if ep.defaults[k] == "" {
			t.Fatalf("%s: no default for $%s", entrypointFile, k)
		}
	}
	m = epExecRE.FindStringSubmatch(src)
	if m == nil {
		t.Fatalf(`%s: no 'exec "$bin" ...' line`, entrypointFile)
	}
	for _, f := range strings.Fields(m[1]) {
		f = strings.Trim(f, `"`)
		switch {
		case f == "$@":
		case strings.HasPrefix(f, "$"):
			v, ok := ep.defaults[f[1:]]
			if !ok {
				t.Fatalf("%s: exec line uses unknown variable %s", entrypointFile, f)
			}
			ep.args = append(ep.args, v)
		default:
			ep.args = append(ep.args, f)
		}
	}
	return ep
}

// flagValue returns the value of --name in args (--name value form).
func flagValue(t *testing.T, args []string, name string) string {
	t.Helper()
	for i, a := range args {
		if a == "--"+name && i+1 < len(args) {
			return args[i+1]
		}
	}
	t.Fatalf("no --%s in %q", name, args)
	return ""
}

// dockerfileInstr is one instruction of the Dockerfile, continuation lines
// joined, with the stage it belongs to.
type dockerfileInstr struct {
	stage, op, args string
}

func readDockerfile(t *testing.T) []dockerfileInstr {
	t.Helper()
	var out []dockerfileInstr
	stage, cur := "", ""
	sc := bufio.NewScanner(strings.NewReader(readText(t, dockerfile)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if cur == "" && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if s, ok := strings.CutSuffix(line, `\`); ok {
			cur += s + " "
			continue
		}
		cur += line
		op, args, _ := strings.Cut(cur, " ")
		cur = ""
		op = strings.ToUpper(op)
		if op == "FROM" {
			f := strings.Fields(args)
			stage = ""
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				stage = f[2]
			}
		}
		out = append(out, dockerfileInstr{stage: stage, op: op, args: strings.Join(strings.Fields(args), " ")})
	}
	return out
}

// jsonArgs parses an exec-form instruction argument (["a", "b"]).
func jsonArgs(t *testing.T, s string) []string {
	t.Helper()
	var v []string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("Dockerfile: %q is not exec form: %v", s, err)
	}
	return v
}

// TestComposeFileValid: docker-compose.yml passes docker-compose's schema
// check, and the check does reject broken files (so a pass means something).
func TestComposeFileValid(t *testing.T) {
	t.Parallel()
	good := readText(t, composeFile)
	for _, tc := range []struct {
		name    string
		mutate  func(string) string
		wantErr string
	}{
		{"repository file", func(s string) string { return s }, ""},
		{"unknown service key", func(s string) string {
			return strings.Replace(s, "    cap_add:", "    cap_addd:\n      - X\n    cap_add:", 1)
		}, "cap_addd"},
		{"unknown healthcheck key", func(s string) string {
			return strings.Replace(s, "      interval: 2s", "      intervall: 2s", 1)
		}, "intervall"},
		{"dependency on an unknown service", func(s string) string {
			return strings.Replace(s, "    depends_on:\n      emulator:", "    depends_on:\n      no-such-service:", 1)
		}, "no-such-service"},
		{"unknown volume", func(s string) string {
			return strings.Replace(s, "- s3vpce-data:/s3vpce:ro", "- no-such-volume:/s3vpce:ro", 1)
		}, "no-such-volume"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			file := absPath(t, composeFile)
			if tc.wantErr != "" {
				mutated := tc.mutate(good)
				if mutated == good {
					t.Fatal("mutation did not apply: update the test to the compose file")
				}
				file = filepath.Join(t.TempDir(), "docker-compose.yml")
				if err := os.WriteFile(file, []byte(mutated), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out, err := composeCmd(t, file, "config", "--quiet").CombinedOutput()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("docker-compose config: %v\n%s", err, out)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("docker-compose config accepted a file with %s", tc.name)
			case tc.wantErr != "" && !strings.Contains(string(out), tc.wantErr):
				t.Fatalf("docker-compose config: %s\nwant it to name %q", out, tc.wantErr)
			}
		})
	}
}

// TestComposeAddressesMatchDefaults: the network, the emulator's address,
// the entrypoint's extra addresses, the client's resolver, CA path and
// credentials all agree with the emulator's defaults.
func TestComposeAddressesMatchDefaults(t *testing.T) {
	t.Parallel()
	c := loadCompose(t)
	ep := readEntrypoint(t)
	endpoint := vpce.DefaultEndpoint()
	vpc := vpce.DefaultVPC()
	resolver := vpc.ResolverIP()
	primaryZone, ok := endpoint.Zone(vpce.DefaultZone)
	if !ok {
		t.Fatalf("default endpoint has no zone %s", vpce.DefaultZone)
	}
	emu, cli := c.Services["emulator"], c.Services["client"]
	if len(emu.Networks) != 1 || len(cli.Networks) != 1 {
		t.Fatalf("emulator networks %v, client networks %v: want one each", emu.Networks, cli.Networks)
	}
	var netName string
	for n := range emu.Networks {
		netName = n
	}
	if _, ok := cli.Networks[netName]; !ok {
		t.Fatalf("client is not on the emulator's network %q", netName)
	}
	ipam := c.Networks[netName].IPAM.Config
	if len(ipam) != 1 {
		t.Fatalf("network %q: %d ipam configs, want 1", netName, len(ipam))
	}
	subnet, err := netip.ParsePrefix(ipam[0].Subnet)
	if err != nil {
		t.Fatal(err)
	}
	gateway, err := netip.ParseAddr(ipam[0].Gateway)
	if err != nil {
		t.Fatal(err)
	}
	ipRange, err := netip.ParsePrefix(ipam[0].IPRange)
	if err != nil {
		t.Fatal(err)
	}
	var emuAddr netip.Addr
	if n := emu.Networks[netName]; n != nil {
		emuAddr, _ = netip.ParseAddr(n.IPv4Address)
	}
	// The model's addresses that the container must answer on.
	modelAddrs := append(endpoint.IPs(), resolver)
	var others []netip.Addr
	for _, a := range modelAddrs {
		if a != primaryZone.IP {
			others = append(others, a)
		}
	}
	dataDir := flagValue(t, ep.args, "home")

	for _, tc := range []struct {
		name string
		ok   bool
		got  any
	}{
		{"emulator ipv4_address is the " + vpce.DefaultZone + " ENI", emuAddr == primaryZone.IP, emuAddr},
		{"subnet is the VPC's CIDR", subnet == vpc.CIDR, subnet},
		{"subnet holds every ENI and the resolver", !slices.ContainsFunc(modelAddrs, func(a netip.Addr) bool { return !subnet.Contains(a) }), subnet},
		{"gateway is in the subnet and is none of them", subnet.Contains(gateway) && !slices.Contains(modelAddrs, gateway), gateway},
		{"ip_range is inside the subnet", subnet.Contains(ipRange.Addr()) && ipRange.Bits() > subnet.Bits(), ipRange},
		{"ip_range (dynamic addresses) holds none of them", !slices.ContainsFunc(modelAddrs, ipRange.Contains) && !ipRange.Contains(gateway), ipRange},
		{"entrypoint adds exactly the other ENIs and the resolver", setEqual(ep.addrs, others), ep.addrs},
		{"emulator has NET_ADMIN for that", slices.Contains(emu.CapAdd, "NET_ADMIN"), emu.CapAdd},
		{"client's dns is the resolver", slices.Equal(cli.DNS, []string{resolver.String()}), cli.DNS},
		{"client waits for a healthy emulator", cli.DependsOn["emulator"].Condition == "service_healthy", cli.DependsOn},
		{"client's AWS_CA_BUNDLE is the CA in the shared volume", cli.Environment["AWS_CA_BUNDLE"] == sharedPath(t, emu, cli, dataDir, certs.CertFile), cli.Environment["AWS_CA_BUNDLE"]},
		{"client's access key is the emulator's", cli.Environment["AWS_ACCESS_KEY_ID"] == emulator.DefaultAccessKeyID, cli.Environment["AWS_ACCESS_KEY_ID"]},
		{"client's secret key is the emulator's", cli.Environment["AWS_SECRET_ACCESS_KEY"] == emulator.DefaultSecretAccessKey, cli.Environment["AWS_SECRET_ACCESS_KEY"]},
		{"client's region is the endpoint's", cli.Environment["AWS_DEFAULT_REGION"] == endpoint.Region, cli.Environment["AWS_DEFAULT_REGION"]},
		{"HTTPS listens on 443 on every address", flagValue(t, ep.args, "https-addr") == "0.0.0.0:443", ep.args},
		{"DNS listens on 53 on every address", flagValue(t, ep.args, "dns-addr") == "0.0.0.0:53", ep.args},
		{"testdata is mounted read-only at /testdata", slices.Contains(emu.Volumes, absPath(t, repoRoot+"/testdata")+":/testdata:ro"), emu.Volumes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.ok {
				t.Errorf("got %v", tc.got)
			}
		})
	}

	t.Run("client resolv.conf names the resolver and the search domain", func(t *testing.T) {
		mount := absPath(t, clientResolv) + ":/etc/resolv.conf:ro"
		if !slices.Contains(cli.Volumes, mount) {
			t.Errorf("client volumes %v lack %s", cli.Volumes, mount)
		}
		var got []string
		for _, line := range strings.Split(readText(t, clientResolv), "\n") {
			if line != "" && !strings.HasPrefix(line, "#") {
				got = append(got, line)
			}
		}
		want := []string{"nameserver " + resolver.String(), "search " + searchDomain(endpoint.Region)}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", clientResolv, got, want)
		}
	})

	t.Run("healthcheck probes the CA and the listening ports", func(t *testing.T) {
		src := readText(t, healthFile)
		for _, want := range []string{
			`data=${S3VPCE_DATA:-` + dataDir + `}`,
			`"$data/` + certs.CertFile + `"`,
			"/dev/tcp/127.0.0.1/443",
			"/dev/tcp/127.0.0.1/53",
		} {
			if !strings.Contains(src, want) {
				t.Errorf("%s lacks %q", healthFile, want)
			}
		}
	})
}

// sharedPath is where the client sees file in the emulator's directory dir,
// through a named volume mounted there in the emulator and read-only in the
// client; "" if there is no such volume.
func sharedPath(t *testing.T, emu, cli composeService, dir, file string) string {
	t.Helper()
	var vol string
	for _, v := range emu.Volumes {
		if f := strings.Split(v, ":"); len(f) >= 2 && f[1] == dir && !strings.HasPrefix(f[0], "/") {
			vol = f[0]
		}
	}
	for _, v := range cli.Volumes {
		if f := strings.Split(v, ":"); len(f) == 3 && f[0] == vol && f[2] == "ro" {
			return f[1] + "/" + file
		}
	}
	return ""
}

func setEqual(a, b []netip.Addr) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.SortFunc(a, netip.Addr.Compare)
	slices.SortFunc(b, netip.Addr.Compare)
	return slices.Equal(a, b)
}

// TestComposeEntrypointFlagsExist: every flag the image passes to s3vpce
// serve (the entrypoint's, the Dockerfile's CMD, compose's command) is one
// that `s3vpce serve --help` lists, and the whole command line parses.
func TestComposeEntrypointFlagsExist(t *testing.T) {
	t.Parallel()
	ep := readEntrypoint(t)
	if len(ep.args) == 0 || ep.args[0] != "serve" {
		t.Fatalf("entrypoint runs s3vpce %q, want serve", ep.args)
	}
	var cmdArgs []string
	for _, in := range readDockerfile(t) {
		if in.stage == "emulator" && in.op == "CMD" {
			cmdArgs = jsonArgs(t, in.args)
		}
	}
	help := runS3vpce(t, t.TempDir(), "serve", "--help")
	if help.code != 0 {
		t.Fatalf("s3vpce serve --help: exit %d\n%s", help.code, help.stderr)
	}
	for _, tc := range []struct {
		source string
		args   []string
	}{
		{"docker/entrypoint.sh", ep.args[1:]},
		{"Dockerfile CMD", cmdArgs},
		{"docker-compose.yml command", loadCompose(t).Services["emulator"].Command},
	} {
		t.Run(tc.source, func(t *testing.T) {
			if len(tc.args) == 0 {
				t.Fatal("no arguments")
			}
			for _, a := range tc.args {
				if !strings.HasPrefix(a, "-") {
					continue
				}
				name := "-" + strings.TrimLeft(a, "-")
				name, _, _ = strings.Cut(name, "=")
				if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(name) + `\b`).MatchString(help.stderr) {
					t.Errorf("%s passes %s, which s3vpce serve --help does not list:\n%s", tc.source, a, help.stderr)
				}
			}
		})
	}
}

// TestComposeDockerfileBuildsEntrypoint: the image builds ./cmd/s3vpce
// statically with the module's Go, puts it where the entrypoint execs it,
// and wires the entrypoint, healthcheck, state volume and compose targets.
func TestComposeDockerfileBuildsEntrypoint(t *testing.T) {
	t.Parallel()
	ep := readEntrypoint(t)
	instrs := readDockerfile(t)
	c := loadCompose(t)
	find := func(stage, op string, match func(string) bool) string {
		for _, in := range instrs {
			if in.stage == stage && in.op == op && match(in.args) {
				return in.args
			}
		}
		return ""
	}
	has := func(s string) func(string) bool { return func(a string) bool { return strings.Contains(a, s) } }
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(readText(t, repoRoot+"/go.mod"))
	if goVersion == nil {
		t.Fatal("go.mod: no go directive")
	}

	build := find("build", "RUN", has("go build"))
	built := regexp.MustCompile(`-o (\S+) \./cmd/s3vpce$`).FindStringSubmatch(build)
	copyBin := find("emulator", "COPY", has("--from=build"))
	copyEP := find("emulator", "COPY", has("docker/entrypoint.sh"))
	copyHC := find("emulator", "COPY", has("docker/healthcheck.sh"))
	entry := find("emulator", "ENTRYPOINT", func(string) bool { return true })
	health := find("emulator", "HEALTHCHECK", func(string) bool { return true })
	last := instrs[len(instrs)-1].stage
	target := func(s string) string { return c.Services[s].Build.Target }
	lastWord := func(s string) string { f := strings.Fields(s); return f[len(f)-1] }

	for _, tc := range []struct {
		name string
		ok   bool
		got  string
	}{
		{"build stage is golang:" + goVersion[1] + " (go.mod)", find("build", "FROM", has("golang:"+goVersion[1]+"-")) != "", goVersion[1]},
		{"go build ./cmd/s3vpce -o PATH with CGO_ENABLED=0", built != nil && strings.Contains(build, "CGO_ENABLED=0"), build},
		{"the built binary is copied to the path the entrypoint execs", built != nil && copyBin == "--from=build "+built[1]+" "+ep.defaults["bin"], copyBin},
		{"ENTRYPOINT is the copied docker/entrypoint.sh", copyEP != "" && slices.Equal(jsonArgs(t, entry), []string{lastWord(copyEP)}), entry},
		{"HEALTHCHECK runs the copied docker/healthcheck.sh", copyHC != "" && strings.HasSuffix(health, `CMD ["`+lastWord(copyHC)+`"]`), health},
		{"compose healthcheck runs it too", copyHC != "" && slices.Equal(c.Services["emulator"].Healthcheck.Test, []string{"CMD", lastWord(copyHC)}), strings.Join(c.Services["emulator"].Healthcheck.Test, " ")},
		{"runtime has iproute2 for the entrypoint's ip", find("emulator", "RUN", has("iproute2")) != "", ""},
		{"state directory is a volume and the entrypoint's --home", find("emulator", "VOLUME", func(a string) bool { return a == ep.defaults["data"] }) != "", ep.defaults["data"]},
		{"the emulator is the default (last) stage and compose's target", last == "emulator" && target("emulator") == "emulator", last},
		{"compose's client target is a stage with the aws CLI and nslookup", target("client") != "" && find(target("client"), "RUN", has("awscli bind9-dnsutils")) != "", target("client")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.ok {
				t.Errorf("got %q", tc.got)
			}
		})
	}
}

// TestComposeEntrypointInNamespaces runs docker/entrypoint.sh and
// docker/healthcheck.sh for real, as root, in a network namespace whose eth0
// (a veth) carries the emulator's compose address; a second namespace on the
// other end of the veth, with an address from the compose network's
// ip_range and the client's resolv.conf, stands in for the client container
// and runs the seed's commands unchanged. Only these two namespaces, made
// and removed here, carry traffic.
func TestComposeEntrypointInNamespaces(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	c := loadCompose(t)
	emuSvc, cliSvc := c.Services["emulator"], c.Services["client"]
	ipam := c.Networks["vpc"].IPAM.Config[0]
	subnet := netip.MustParsePrefix(ipam.Subnet)
	cliAddr := netip.MustParsePrefix(ipam.IPRange).Addr().Next()
	emuAddr := emuSvc.Networks["vpc"].IPv4Address
	aws := awsCLIs(t)["v2"]

	emuNS := fmt.Sprintf("s3vpce-compose-%d-emu", os.Getpid())
	cliNS := fmt.Sprintf("s3vpce-compose-%d-cli", os.Getpid())
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.CommandContext(t.Context(), "ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	for _, ns := range []string{emuNS, cliNS} {
		ip("netns", "add", ns)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
		ip("-n", ns, "link", "set", "lo", "up")
	}
	ip("-n", emuNS, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", cliNS)
	ip("-n", emuNS, "addr", "add", fmt.Sprintf("%s/%d", emuAddr, subnet.Bits()), "dev", "eth0")
	ip("-n", cliNS, "addr", "add", fmt.Sprintf("%s/%d", cliAddr, subnet.Bits()), "dev", "eth0")
	ip("-n", emuNS, "link", "set", "eth0", "up")
	ip("-n", cliNS, "link", "set", "eth0", "up")

	home := t.TempDir()
	healthcheck := func() error {
		cmd := exec.CommandContext(t.Context(), "ip", "netns", "exec", emuNS, "/bin/bash", healthFile)
		cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "S3VPCE_DATA=" + home}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	}

	// The emulator: the entrypoint with compose's command, in emuNS. The
	// process that ends up running is the test binary as s3vpce serve.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ipPath, err := exec.LookPath("ip")
	if err != nil {
		t.Fatal(err)
	}
	emu := s3vpceCmd(t, home)
	emu.Path, emu.Err = ipPath, nil
	emu.Args = append([]string{"ip", "netns", "exec", emuNS, "/bin/sh", entrypointFile}, emuSvc.Command...)
	emu.Env = append(emu.Env, "S3VPCE_BIN="+self, "S3VPCE_DATA="+home)
	if err := healthcheck(); err == nil {
		t.Fatal("healthcheck passed before the emulator started")
	}
	waitBanner(t, emu)
	if err := healthcheck(); err != nil {
		t.Fatalf("healthcheck of a running emulator: %v", err)
	}

	// The client: compose's environment and the mounted resolv.conf (a
	// private mount namespace), the CA where compose mounts the volume
	// (home here, so AWS_CA_BUNDLE is rewritten to it).
	client := func(args ...string) result {
		t.Helper()
		script := `mount --bind "$RESOLV" /etc/resolv.conf && exec "$@"`
		cmd := exec.CommandContext(t.Context(), "ip", append([]string{"netns", "exec", cliNS, "unshare", "--mount", "--propagation", "private",
			"/bin/sh", "-c", script, "sh"}, args...)...)
		cmd.Env = []string{
			"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + home, "LANG=C.UTF-8", "RESOLV=" + absPath(t, clientResolv),
			"AWS_CONFIG_FILE=" + filepath.Join(home, "no-aws-config"),
			"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "no-aws-credentials"),
		}
		for k, v := range cliSvc.Environment {
			if k == "AWS_CA_BUNDLE" {
				v = filepath.Join(home, filepath.Base(v))
			}
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		return runCmd(t, cmd)
	}

	// DNS first, with a bounded wait: the clients below retry for long.
	endpoint := vpce.DefaultEndpoint()
	var allIPs []string
	for _, a := range endpoint.IPs() {
		allIPs = append(allIPs, a.String())
	}
	slices.Sort(allIPs)
	r := client("dig", "+short", "+time=2", "+tries=1", regionalName)
	got := strings.Fields(r.stdout)
	slices.Sort(got)
	if r.code != 0 || !slices.Equal(got, allIPs) {
		t.Fatalf("dig %s through the client's resolv.conf: exit %d, %q, want %v\n%s", regionalName, r.code, r.stdout, allIPs, r.stderr)
	}

	golden := readText(t, repoRoot+"/testdata/seed-nslookup.golden")
	for _, tc := range []struct {
		name  string
		args  []string
		check func(r result) string // "" when fine
	}{
		{"nslookup zonal prints the seed's answer", []string{"nslookup", zonalName}, func(r result) string {
			if r.stdout != golden {
				return "want the seed's:\n" + golden
			}
			return ""
		}},
		{"aws s3 mb through the regional name", []string{aws, "--endpoint-url", "https://bucket." + regionalName, "s3", "mb", "s3://wsgbucket"}, func(r result) string {
			if r.stdout != "make_bucket: wsgbucket\n" {
				return "want make_bucket: wsgbucket"
			}
			return ""
		}},
		{"aws s3 ls through the zonal name", []string{aws, "--endpoint-url", "https://bucket." + zonalName, "s3", "ls"}, func(r result) string {
			if !strings.HasSuffix(r.stdout, " wsgbucket\n") {
				return "want wsgbucket listed"
			}
			return ""
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := client(tc.args...)
			if msg := tc.check(r); r.code != 0 || msg != "" {
				t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s\n%s", strings.Join(tc.args, " "), r.code, r.stdout, r.stderr, msg)
			}
		})
	}

	// Every address the DNS server hands out answers HTTPS from the client.
	for _, a := range endpoint.IPs() {
		t.Run("HTTPS on "+a.String(), func(t *testing.T) {
			url := "https://bucket." + regionalName + "/"
			// Signed by curl itself (SigV4), since the emulator verifies signatures.
			r := client("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{remote_ip}", "--max-time", "10",
				"--aws-sigv4", "aws:amz:us-east-1:s3", "--user", emulator.DefaultAccessKeyID+":"+emulator.DefaultSecretAccessKey,
				"-H", "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // S3 requires it; curl 7.88 does not add it
				"--cacert", filepath.Join(home, certs.CertFile), "--resolve", "bucket."+regionalName+":443:"+a.String(), url)
			if want := "200 " + a.String(); r.code != 0 || r.stdout != want {
				t.Errorf("curl %s via %s: exit %d, %q, want %q\n%s", url, a, r.code, r.stdout, want, r.stderr)
			}
		})
	}
}

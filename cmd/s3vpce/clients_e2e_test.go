package main

// Real clients inside exec with no flags and no CA variable: the CA is
// trusted through the namespace's system store (and Python's certifi
// bundles), NODE_EXTRA_CA_CERTS and the Java trust store.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const regionalURL = "https://bucket." + regionalName

// mcModule is the MinIO client scripts/test builds (it is not packaged by
// Debian); keep the two in step.
const mcModule = "github.com/minio/mc@v0.0.0-20250313080218-cf909e1063a9"

// programDir is the directory of a program on the test's PATH: the
// commands run with a fixed PATH (s3vpceCmd).
func programDir(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(p)
}

// nodeSDKDir returns a directory whose node_modules holds
// @aws-sdk/client-s3 v3: $S3VPCE_TEST_NPM_DIR (scripts/test installs it
// there), else a cache directory, installing it with npm when missing. The
// test is skipped, saying why, when npm cannot fetch it.
func nodeSDKDir(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: apt-get install nodejs npm")
	}
	dir := os.Getenv("S3VPCE_TEST_NPM_DIR")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			t.Skipf("no cache directory for the npm install: %v", err)
		}
		dir = filepath.Join(cache, "s3vpce-test", "npm")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-s3", "package.json")); err == nil {
		return dir
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("@aws-sdk/client-s3 is not installed and npm is missing: apt-get install npm, or run scripts/test")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, npm, "install", "--no-audit", "--no-fund", "--prefix", dir, "@aws-sdk/client-s3@3").CombinedOutput()
	if err != nil {
		t.Skipf("npm could not install @aws-sdk/client-s3 into %s (offline?): %v\n%s", dir, err, out)
	}
	return dir
}

const nodeScript = `const { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, ListObjectsV2Command } =
  require(process.argv[2] + "/node_modules/@aws-sdk/client-s3");
(async () => {
  const s3 = new S3Client({ region: "us-east-1", endpoint: process.argv[3], forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: "nodebucket" }));
  await s3.send(new PutObjectCommand({ Bucket: "nodebucket", Key: "dir/hello.txt", Body: "hello from node" }));
  const got = await s3.send(new GetObjectCommand({ Bucket: "nodebucket", Key: "dir/hello.txt" }));
  console.log("get: " + await got.Body.transformToString());
  const list = await s3.send(new ListObjectsV2Command({ Bucket: "nodebucket" }));
  console.log("list: " + list.Contents.map(o => o.Key + " " + o.Size).join(","));
})().catch(e => { console.error("node: " + e.name + ": " + e.message); process.exit(1); });
`

// TestExecClientsTrustCAWithoutFlags runs each client through a plain
// "s3vpce exec -- CLIENT ...", with the machine's AWS_CA_BUNDLE preset in
// the caller's environment (s3vpceCmd), and checks its round trip.
func TestExecClientsTrustCAWithoutFlags(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	home := t.TempDir()
	startServe(t, home)
	file := filepath.Join(home, "hello.txt")
	if err := os.WriteFile(file, []byte("hello through the endpoint\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	type client struct {
		name   string
		need   string                                // a program that must be installed
		skip   bool                                  // skip, rather than fail, when need is missing
		script func(t *testing.T) (string, []string) // sh script, extra env
		want   []string                              // in stdout
	}
	clients := []client{
		{name: "rclone", need: "rclone", script: func(t *testing.T) (string, []string) {
			conf := filepath.Join(home, "rclone.conf")
			os.WriteFile(conf, []byte(fmt.Sprintf("[vpce]\ntype = s3\nprovider = AWS\naccess_key_id = AKIAS3VPCE0EXAMPLE01\nsecret_access_key = s3vpceLocalSecretKeyDoNotUseOnAWS0000001\nregion = us-east-1\nendpoint = %s\n", regionalURL)), 0o600)
			return `set -e
rclone --config "$CONF" mkdir vpce:rclonebucket
rclone --config "$CONF" copy "$FILE" vpce:rclonebucket/dir
rclone --config "$CONF" ls vpce:rclonebucket
rclone --config "$CONF" cat vpce:rclonebucket/dir/hello.txt`, []string{"CONF=" + conf}
		}, want: []string{"27 dir/hello.txt", "hello through the endpoint"}},
		{name: "node-sdk-v3", need: "node", script: func(t *testing.T) (string, []string) {
			dir := nodeSDKDir(t)
			js := filepath.Join(home, "s3.cjs")
			os.WriteFile(js, []byte(nodeScript), 0o644)
			return `node "$JS" "$DIR" "$URL"`, []string{"JS=" + js, "DIR=" + dir, "URL=" + regionalURL}
		}, want: []string{"get: hello from node", "list: dir/hello.txt 15"}},
		{name: "curl", need: "curl", script: func(t *testing.T) (string, []string) {
			return `set -e
/usr/bin/aws --endpoint-url "$URL" s3 mb s3://curlbucket
sign='--aws-sigv4 aws:amz:us-east-1:s3 -H x-amz-content-sha256:UNSIGNED-PAYLOAD'
curl -sS --fail-with-body $sign --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" --upload-file "$FILE" "$URL/curlbucket/hello.txt"
curl -sS --fail-with-body $sign --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "$URL/curlbucket/hello.txt"`, nil
		}, want: []string{"hello through the endpoint"}},
		{name: "aws-cli-v2", need: "/usr/bin/aws", script: func(t *testing.T) (string, []string) {
			return `set -e
/usr/bin/aws --endpoint-url "$URL" s3 mb s3://v2bucket
/usr/bin/aws --endpoint-url "$URL" s3 cp "$FILE" s3://v2bucket/hello.txt --only-show-errors
/usr/bin/aws --endpoint-url "$URL" s3 cp s3://v2bucket/hello.txt -`, nil
		}, want: []string{"make_bucket: v2bucket", "hello through the endpoint"}},
		{name: "aws-cli-v1-pyenv", script: func(t *testing.T) (string, []string) {
			v1, ok := awsCLIs(t)["v1"]
			if !ok {
				t.Skip("no aws CLI v1 under ~/.pyenv/versions")
			}
			// First on PATH, as pyenv puts it; it reads pip's certifi bundle.
			return `set -e
aws --endpoint-url "$URL" s3 mb s3://v1bucket
aws --endpoint-url "$URL" s3 cp "$FILE" s3://v1bucket/hello.txt --only-show-errors
aws --endpoint-url "$URL" s3 cp s3://v1bucket/hello.txt -`, []string{"PATH=" + filepath.Dir(v1) + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
		}, want: []string{"make_bucket: v1bucket", "hello through the endpoint"}},
		{name: "minio-mc", need: "mc", skip: true, script: func(t *testing.T) (string, []string) {
			// mc takes the alias from MC_HOST_<alias>; minio-go recognises
			// the PrivateLink name and addresses buckets under it.
			return `set -e
export MC_HOST_vpce="https://$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY@bucket.` + regionalName + `"
mc --config-dir "$MCDIR" mb vpce/mcbucket
mc --config-dir "$MCDIR" cp "$FILE" vpce/mcbucket/dir/hello.txt
mc --config-dir "$MCDIR" ls -r vpce/mcbucket
mc --config-dir "$MCDIR" cat vpce/mcbucket/dir/hello.txt`, []string{"MCDIR=" + filepath.Join(home, "mc"), "PATH=" + programDir(t, "mc") + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
		}, want: []string{"Bucket created successfully `vpce/mcbucket`", "27B STANDARD dir/hello.txt", "hello through the endpoint"}},
		{name: "openssl", need: "openssl", script: func(t *testing.T) (string, []string) {
			return `openssl s_client -connect ` + "bucket." + regionalName + `:443 -servername bucket.` + regionalName + ` -verify_return_error </dev/null 2>/dev/null | grep "Verify return code"`, nil
		}, want: []string{"Verify return code: 0 (ok)"}},
		{name: "java", need: "java", skip: true, script: func(t *testing.T) (string, []string) {
			src := filepath.Join(home, "Get.java")
			os.WriteFile(src, []byte(`public class Get { public static void main(String[] a) throws Exception {
  var c = (javax.net.ssl.HttpsURLConnection) new java.net.URI(a[0]).toURL().openConnection();
  System.out.println("status " + c.getResponseCode()); } }
`), 0o644)
			return `java "$SRC" "$URL/"`, []string{"SRC=" + src}
		}, want: []string{"status 403"}}, // TLS verified; anonymous requests are refused
	}
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel() // each its own bucket and files
			if c.need != "" {
				if _, err := exec.LookPath(c.need); err != nil && c.skip {
					t.Skipf("%s is not installed (scripts/test installs it where it can; for mc: go install %s)", c.need, mcModule)
				} else if err != nil {
					t.Fatalf("%s is missing: run scripts/test (it installs the clients)", c.need)
				}
			}
			script, env := c.script(t)
			cmd := s3vpceCmd(t, home, "exec", "--", "sh", "-c", script)
			cmd.Env = append(cmd.Env, append([]string{"URL=" + regionalURL, "FILE=" + file}, env...)...)
			r := runCmd(t, cmd)
			if r.code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s\nstderr:\n%s", w, r.stdout, r.stderr)
				}
			}
		})
	}
}

// TestExecCAEnv: the CA variables each --ca-env mode gives the command,
// over a caller's environment that names another bundle.
func TestExecCAEnv(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	home := t.TempDir()
	ca := filepath.Join(home, "rootCA.pem")
	show := `echo "AWS=$AWS_CA_BUNDLE SSL=$SSL_CERT_FILE REQ=$REQUESTS_CA_BUNDLE CURL=$CURL_CA_BUNDLE NODE=$NODE_EXTRA_CA_CERTS"; echo "JAVA=$JAVA_TOOL_OPTIONS"`
	for _, tc := range []struct {
		mode string
		want string
	}{
		{"default", "AWS= SSL= REQ= CURL= NODE=" + ca},
		{"none", "AWS=/etc/ssl/certs/ca-certificates.crt SSL= REQ= CURL=/etc/ssl/other.pem NODE="},
		{"all", fmt.Sprintf("AWS=%[1]s SSL=%[1]s REQ=%[1]s CURL=%[1]s NODE=%[1]s", ca)},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			args := []string{"exec"}
			if tc.mode != "default" {
				args = append(args, "--ca-env", tc.mode)
			}
			cmd := s3vpceCmd(t, home, append(args, "--", "sh", "-c", show)...)
			cmd.Env = append(cmd.Env, "CURL_CA_BUNDLE=/etc/ssl/other.pem", "JAVA_TOOL_OPTIONS=-Xmx64m")
			r := runCmd(t, cmd)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			lines := strings.SplitN(r.stdout, "\n", 2)
			if lines[0] != tc.want {
				t.Errorf("CA variables\n got %s\nwant %s", lines[0], tc.want)
			}
			java := strings.TrimSpace(lines[1])
			if tc.mode == "none" {
				if java != "JAVA=-Xmx64m" {
					t.Errorf("--ca-env none changed JAVA_TOOL_OPTIONS: %s", java)
				}
				return
			}
			store, ok := strings.CutPrefix(java, "JAVA=-Xmx64m -Djavax.net.ssl.trustStore=")
			store, _, _ = strings.Cut(store, " ")
			if !ok || !strings.Contains(java, "-Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=changeit") {
				t.Fatalf("JAVA_TOOL_OPTIONS: %s", java)
			}
			if fi, err := os.Stat(store); err != nil || filepath.Dir(store) != home || fi.Size() == 0 {
				t.Errorf("Java trust store %s: %v", store, err)
			}
		})
	}
	if r := runS3vpce(t, home, "exec", "--ca-env", "some", "--", "true"); r.code != 2 || !strings.Contains(r.stderr, `--ca-env "some": want default, none or all`) {
		t.Errorf("--ca-env some: exit %d, %s", r.code, r.stderr)
	}
}

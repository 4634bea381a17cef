package provider

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apiql/apiql/registry"
	"gopkg.in/yaml.v3"
)

// DefaultConnection is the name of the connection a provider has when the
// config file names none: its token comes from the registry's token
// variables (DIGITALOCEAN_TOKEN, say) and its URL from the registry.
const DefaultConnection = "default"

// ConnectionColumn is the column every resource has: the name of the
// connection a row was fetched through.
const ConnectionColumn = "connection"

// Connection is one named account of a provider: where its token comes
// from and, optionally, its API URL. A Connection never holds the token
// itself in a form that is printed: Source says where the token comes
// from, and the token is read on first use.
type Connection struct {
	Name     string
	Provider string
	// TokenEnv is the environment variable that holds the token.
	TokenEnv string
	// TokenCmd is a command (run with sh -c) whose standard output is the
	// token, for password managers.
	TokenCmd string
	// APIURL, when set, is where the connection's requests go; it wins
	// over the provider's *_API_URL variable and its registry base URL.
	APIURL string
	// Implicit marks the default connection made from the registry's token
	// variables when the config names no connection called "default".
	Implicit bool

	once  sync.Once
	token string
	err   error
	// printed is what the token command printed (trimmed), even when it
	// failed: a secret to mask, never to show.
	printed string
}

// Source says where the connection's token comes from, for SHOW
// CONNECTIONS and errors; it never holds the token.
func (c *Connection) Source(tokenVars []string) string {
	switch {
	case c.TokenEnv != "":
		return "env " + c.TokenEnv
	case c.TokenCmd != "":
		return "command: " + c.TokenCmd
	}
	return "env " + strings.Join(tokenVars, " or ")
}

// resolve returns the connection's token: from its variable, or its
// command's output, read once. The command's output is never quoted in an
// error.
func (c *Connection) resolve(getenv func(string) string) (string, error) {
	if c.TokenEnv != "" {
		v := strings.TrimSpace(getenv(c.TokenEnv))
		if v == "" {
			return "", &AuthError{Provider: c.Provider, Connection: c.Name, Vars: []string{c.TokenEnv}}
		}
		return v, nil
	}
	c.runCmd()
	return c.token, c.err
}

// runCmd runs the token command, once: its standard output is the token;
// its standard error is read and dropped (a password manager may echo what
// it prints there too), and how it failed is told without either.
func (c *Connection) runCmd() {
	c.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "sh", "-c", c.TokenCmd)
		// A child of the shell that keeps the output open does not hold
		// apiql past the timeout.
		cmd.WaitDelay = time.Second
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		c.printed = strings.TrimSpace(out.String())
		if err != nil {
			c.err = &AuthError{Provider: c.Provider, Connection: c.Name, Cmd: c.TokenCmd, CmdErr: err.Error()}
			return
		}
		c.token = c.printed
		if c.token == "" {
			c.err = &AuthError{Provider: c.Provider, Connection: c.Name, Cmd: c.TokenCmd, CmdErr: "it printed nothing"}
		}
	})
}

// CommandTokens runs the token command of every connection whose command
// has not run yet (each runs once per process, whether here or for the
// connection's first request) and returns what each printed: its token,
// or the output of a command that failed. A message that may quote a
// token typed in a statement (an error, the shell's history, an error
// sent to a serve client) masks these as it masks the environment's
// tokens: a token command's token is known only once its command has run.
func (cs *Connections) CommandTokens() []string {
	if cs == nil {
		return nil
	}
	var out []string
	for _, p := range cs.Providers() {
		for _, c := range cs.byProvider[p] {
			if c.TokenCmd == "" {
				continue
			}
			c.runCmd()
			if c.printed != "" {
				out = append(out, c.printed)
			}
		}
	}
	return out
}

// Connections are the named connections of every provider, from the
// config file, plus each provider's implicit default.
type Connections struct {
	// Path is the config file read, or "" when there was none.
	Path string
	// Warnings are things about the file the user should know (it is
	// readable by others, say); the caller prints them.
	Warnings []string

	byProvider map[string][]*Connection
	defaults   map[string]string
	global     string
}

// For returns the connections of a provider, in name order; a provider the
// config does not name has one, the implicit default.
func (cs *Connections) For(provider string) []*Connection {
	if cs != nil {
		if l, ok := cs.byProvider[provider]; ok {
			return l
		}
	}
	return []*Connection{{Name: DefaultConnection, Provider: provider, Implicit: true}}
}

// Lookup returns the provider's connection called name, or nil.
func (cs *Connections) Lookup(provider, name string) *Connection {
	for _, c := range cs.For(provider) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Default returns the name of the connection used when a statement names
// none: the config's default_connection when the provider has it, else
// "default".
func (cs *Connections) Default(provider string) string {
	if cs != nil {
		if d, ok := cs.defaults[provider]; ok {
			return d
		}
		if cs.global != "" && cs.Lookup(provider, cs.global) != nil {
			return cs.global
		}
	}
	return DefaultConnection
}

// Names returns the provider's connection names, in order.
func (cs *Connections) Names(provider string) []string {
	var out []string
	for _, c := range cs.For(provider) {
		out = append(out, c.Name)
	}
	return out
}

// Providers returns the providers the config names connections for.
func (cs *Connections) Providers() []string {
	var out []string
	if cs != nil {
		for p := range cs.byProvider {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// allConnections is the scope that reads every connection (the engine's
// AllConnections), so no connection may be called so.
const allConnections = "all"

// CheckProviders refuses connections of a provider the registry does not
// have (known lists its providers): a misspelt provider in the config file
// would otherwise leave its connections unused, in silence.
func (cs *Connections) CheckProviders(known []string) error {
	for _, p := range cs.Providers() {
		found := false
		for _, k := range known {
			found = found || k == p
		}
		if found {
			continue
		}
		hint := "the providers are " + strings.Join(known, ", ")
		if n := registry.Nearest(p, known); n != "" {
			hint = "did you mean " + n + "?"
		}
		return fmt.Errorf("config file %s: connections for provider %q, which the registry does not have; %s", cs.Path, p, hint)
	}
	return nil
}

// ConfigPath returns the config file to read and whether the user named it
// (--config, APIQL_CONFIG), when it must exist: flag first, then
// APIQL_CONFIG, then $XDG_CONFIG_HOME/apiql/config.yaml (or
// ~/.config/apiql/config.yaml).
func ConfigPath(flag string, getenv func(string) string) (string, bool) {
	if flag != "" {
		return flag, true
	}
	if p := getenv("APIQL_CONFIG"); p != "" {
		return p, true
	}
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			return "", false
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "apiql", "config.yaml"), false
}

// configFile is the config file's shape.
type configFile struct {
	DefaultConnection yaml.Node                           `yaml:"default_connection"`
	Connections       map[string]map[string]connectionRaw `yaml:"connections"`
}

type connectionRaw struct {
	TokenEnv string `yaml:"token_env"`
	TokenCmd string `yaml:"token_cmd"`
	APIURL   string `yaml:"api_url"`
}

// nameRE is what a connection (or provider) name may be: it is written in
// SQL string literals and shown in tables.
var nameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,62}$`)

// envRE is an environment variable name.
var envRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// tokenLike matches values that look like an API token rather than a
// variable name or a URL: DigitalOcean's prefixes, or a long run of
// token characters.
var tokenLike = regexp.MustCompile(`(?i)\b(dop|doo|dor)_v1_[0-9a-f]{16,}|\b[A-Za-z0-9_\-]{40,}\b`)

// LoadConnections reads the config file at path. A missing file is no
// error unless must (the user named it); then every provider has only its
// implicit default connection. A file readable by other users gets a
// warning; a file that holds what looks like a token is refused: tokens are
// named by variable or command, never written in the file.
func LoadConnections(path string, must bool) (*Connections, error) {
	cs := &Connections{byProvider: map[string][]*Connection{}, defaults: map[string]string{}}
	if path == "" {
		return cs, nil
	}
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && !must {
			return cs, nil
		}
		return nil, fmt.Errorf("config file: %w", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	cs.Path = path
	if st.Mode().Perm()&0o044 != 0 {
		cs.Warnings = append(cs.Warnings, fmt.Sprintf("config file %s is readable by other users (mode %04o); run chmod 600 %s", path, st.Mode().Perm(), path))
	}
	if loc := tokenLike.FindIndex(data); loc != nil {
		line := bytes.Count(data[:loc[0]], []byte("\n")) + 1
		return nil, fmt.Errorf("config file %s, line %d: this looks like an API token; write no token in the file: name the variable that holds it (token_env: DO_TOKEN_PROD) or a command that prints it (token_cmd: \"pass show do/prod\")", path, line)
	}
	var f configFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && err != io.EOF {
		return nil, fmt.Errorf("config file %s: %v (see the README's \"Several accounts\" for the format)", path, err)
	}
	for prov, conns := range f.Connections {
		if !nameRE.MatchString(prov) {
			return nil, fmt.Errorf("config file %s: %q is not a provider name", path, prov)
		}
		var list []*Connection
		for name, raw := range conns {
			where := fmt.Sprintf("config file %s: connection %s.%s", path, prov, name)
			switch {
			case !nameRE.MatchString(name):
				return nil, fmt.Errorf("%s: a connection name is a letter then letters, digits, _ or - (at most 63)", where)
			case strings.EqualFold(name, allConnections):
				return nil, fmt.Errorf("%s: %q is reserved (--connection all reads every connection); give the connection another name", where, name)
			case raw.TokenEnv != "" && raw.TokenCmd != "":
				return nil, fmt.Errorf("%s: give token_env or token_cmd, not both", where)
			case raw.TokenEnv == "" && raw.TokenCmd == "":
				return nil, fmt.Errorf("%s: give token_env (the variable that holds the token) or token_cmd (a command that prints it)", where)
			case raw.TokenEnv != "" && !envRE.MatchString(raw.TokenEnv):
				return nil, fmt.Errorf("%s: token_env is the NAME of an environment variable, e.g. DO_TOKEN_PROD", where)
			}
			if raw.APIURL != "" {
				if err := checkConnURL(raw.APIURL); err != nil {
					return nil, fmt.Errorf("%s: api_url: %v", where, err)
				}
			}
			list = append(list, &Connection{Name: name, Provider: prov, TokenEnv: raw.TokenEnv, TokenCmd: raw.TokenCmd, APIURL: strings.TrimRight(raw.APIURL, "/")})
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
		hasDefault := false
		for _, c := range list {
			hasDefault = hasDefault || c.Name == DefaultConnection
		}
		if !hasDefault {
			// The environment's token stays reachable as "default".
			list = append([]*Connection{{Name: DefaultConnection, Provider: prov, Implicit: true}}, list...)
		}
		cs.byProvider[prov] = list
	}
	switch f.DefaultConnection.Kind {
	case 0:
	case yaml.ScalarNode:
		cs.global = f.DefaultConnection.Value
		found := false
		for _, p := range cs.Providers() {
			found = found || cs.Lookup(p, cs.global) != nil
		}
		if !found && cs.global != DefaultConnection {
			return nil, fmt.Errorf("config file %s: default_connection %q names no connection", path, cs.global)
		}
	case yaml.MappingNode:
		var m map[string]string
		if err := f.DefaultConnection.Decode(&m); err != nil {
			return nil, fmt.Errorf("config file %s: default_connection: %v", path, err)
		}
		for p, n := range m {
			if cs.Lookup(p, n) == nil {
				return nil, fmt.Errorf("config file %s: default_connection for %s is %q, which names no connection of %s (it has %s)", path, p, n, p, strings.Join(cs.Names(p), ", "))
			}
			cs.defaults[p] = n
		}
	default:
		return nil, fmt.Errorf("config file %s: default_connection is a connection name, or a map of provider to connection name", path)
	}
	return cs, nil
}

// checkConnURL refuses an api_url that is not an absolute http(s) URL
// with a host (and a port, when one is written).
func checkConnURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return fmt.Errorf("%q is not an http or https URL; write it with its scheme, e.g. http://127.0.0.1:8089", redact(raw))
	}
	if strings.HasSuffix(u.Host, ":") {
		return fmt.Errorf("%q has an empty port; write the port after the colon, or leave the colon out", redact(raw))
	}
	return nil
}

// HasToken says whether conn's token is available to c without running
// anything: known is false for a token command, which runs only when the
// connection is used.
func (c *Client) HasToken(p *registry.Provider, conn *Connection) (set, known bool) {
	switch {
	case conn.TokenCmd != "":
		return false, false
	case conn.TokenEnv != "":
		return strings.TrimSpace(c.getenv(conn.TokenEnv)) != "", true
	}
	for _, k := range p.Auth.TokenEnv {
		if strings.TrimSpace(c.getenv(k)) != "" {
			return true, true
		}
	}
	return p.Auth.Type != "bearer", true
}

package openapigen

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The pinned inputs and the output, relative to the repository's root.
const (
	DefaultSpec      = "registry/openapi/digitalocean/openapi.yaml"
	DefaultOverrides = "registry/openapi/digitalocean/overrides.yaml"
	DefaultOut       = "registry/providers/digitalocean/services"
)

// GenerateFiles reads the spec and the overrides files and generates.
func GenerateFiles(specPath, overridesPath string) (*Result, error) {
	data, err := os.ReadFile(specPath)
	if err != nil {
		return nil, err
	}
	var o *Overrides
	if overridesPath != "" {
		od, err := os.ReadFile(overridesPath)
		if err != nil {
			return nil, err
		}
		if o, err = ParseOverrides(od); err != nil {
			return nil, fmt.Errorf("%s: %w", overridesPath, err)
		}
	}
	return Generate(data, o)
}

// Diff compares the files with the folder dir: it returns the names of the
// files that differ, are missing, or are in dir but not generated (every
// generated file says so in its first line; other files are left alone).
func Diff(files map[string][]byte, dir string) ([]string, error) {
	var diff []string
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			diff = append(diff, name)
		}
	}
	stale, err := staleFiles(files, dir)
	if err != nil {
		return nil, err
	}
	diff = append(diff, stale...)
	sort.Strings(diff)
	return diff, nil
}

// staleFiles lists the generated files of dir that the generator no longer makes.
func staleFiles(files map[string][]byte, dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var stale []string
	for _, e := range entries {
		if _, ok := files[e.Name()]; ok || e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		if bytes.HasPrefix(data, []byte(Header)) {
			stale = append(stale, e.Name())
		}
	}
	return stale, nil
}

// Write writes the files into dir and removes the generated files the
// generator no longer makes.
func Write(files map[string][]byte, dir string) error {
	stale, err := staleFiles(files, dir)
	if err != nil {
		return err
	}
	for _, name := range stale {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

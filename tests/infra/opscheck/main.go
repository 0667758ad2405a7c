// Command opscheck validates deployment files offline for tests/ops:
//
//	opscheck compose DIR FILE [PROFILE...]
//	    Loads DIR/FILE with compose-go (the loader inside `docker compose`),
//	    with DIR/.env for interpolation and the given profiles active, and
//	    prints the resolved project as JSON (like `docker compose config`).
//	opscheck jsonschema SCHEMA DOC...
//	    Validates each YAML or JSON document against a JSON schema file.
//	opscheck dockerfile FILE
//	    Parses FILE with BuildKit's Dockerfile parser and linter (what
//	    `docker build` runs first); fails on errors or lint warnings and
//	    prints the stages and their instructions as JSON.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"
)

func main() {
	if len(os.Args) < 3 {
		fail("usage: opscheck compose DIR FILE [PROFILE...] | jsonschema SCHEMA DOC... | dockerfile FILE")
	}
	var err error
	switch os.Args[1] {
	case "compose":
		err = checkCompose(os.Args[2], os.Args[3], os.Args[4:])
	case "jsonschema":
		err = checkJSONSchema(os.Args[2], os.Args[3:])
	case "dockerfile":
		err = checkDockerfile(os.Args[2])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(1)
}

func checkCompose(dir, file string, profiles []string) error {
	options, err := cli.NewProjectOptions(
		[]string{filepath.Join(dir, file)},
		cli.WithWorkingDirectory(dir),
		cli.WithEnvFiles(filepath.Join(dir, ".env")),
		cli.WithDotEnv,
		cli.WithProfiles(profiles),
		cli.WithName("skill-circle"),
	)
	if err != nil {
		return err
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		return err
	}
	out, err := project.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}

func checkJSONSchema(schemaPath string, docs []string) error {
	compiler := jsonschema.NewCompiler()
	schema, err := compiler.Compile(schemaPath)
	if err != nil {
		return fmt.Errorf("compile %s: %w", schemaPath, err)
	}
	invalid := 0
	for _, doc := range docs {
		raw, err := os.ReadFile(doc)
		if err != nil {
			return err
		}
		asJSON, err := yaml.YAMLToJSON(raw)
		if err != nil {
			return fmt.Errorf("%s: %w", doc, err)
		}
		instance, err := jsonschema.UnmarshalJSON(bytes.NewReader(asJSON))
		if err != nil {
			return fmt.Errorf("%s: %w", doc, err)
		}
		if err := schema.Validate(instance); err != nil {
			invalid++
			fmt.Printf("%s: INVALID\n%v\n", doc, err)
			continue
		}
		fmt.Printf("%s: valid\n", doc)
	}
	if invalid > 0 {
		return fmt.Errorf("%d of %d documents invalid", invalid, len(docs))
	}
	return nil
}

type stageReport struct {
	Name         string   `json:"name"`
	Base         string   `json:"base"`
	Instructions []string `json:"instructions"`
}

type dockerfileReport struct {
	MetaArgs map[string]string `json:"meta_args"`
	Stages   []stageReport     `json:"stages"`
}

func checkDockerfile(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	parsed, err := parser.Parse(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var problems []string
	for _, warning := range parsed.Warnings {
		problems = append(problems, warning.Short)
	}
	lint := linter.New(&linter.Config{
		Warn: func(rule, _, _, message string, location []parser.Range) {
			problems = append(problems, fmt.Sprintf("%s: %s %v", rule, message, location))
		},
	})
	stages, metaArgs, err := instructions.Parse(parsed.AST, lint)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s:\n%s", path, strings.Join(problems, "\n"))
	}
	report := dockerfileReport{MetaArgs: map[string]string{}}
	for _, arg := range metaArgs {
		for _, kv := range arg.Args {
			value := ""
			if kv.Value != nil {
				value = *kv.Value
			}
			report.MetaArgs[kv.Key] = value
		}
	}
	// AST children in order: each FROM opens the next stage.
	index := -1
	for _, node := range parsed.AST.Children {
		if strings.EqualFold(node.Value, "from") {
			index++
			report.Stages = append(report.Stages, stageReport{
				Name: stages[index].Name,
				Base: stages[index].BaseName,
			})
		}
		if index >= 0 {
			report.Stages[index].Instructions = append(report.Stages[index].Instructions, node.Original)
		}
	}
	out, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}

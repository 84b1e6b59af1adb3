#!/usr/bin/env python3
"""Runs a program with --report-json and checks the file against docs/report-schema.json.

    report_json.py --schema SCHEMA --doc DOC [--status N] [--kind KIND]... [--calls-named] -- PROGRAM [ARGS...]

The check is written by hand (python3's jsonschema module is not a dependency): it knows the
keywords docs/report-schema.json uses (type, const, enum, required, properties,
additionalProperties, items, minimum, $ref) and refuses a schema that uses any other, so every
field the schema documents is present with its type, and no field is undocumented. It also checks
that docs/report-schema.md describes every field of the schema, that the program exited with
status N (default 1), and that the findings are of the given kinds, in order. With --calls-named,
every finding names at least one call, each with its `call` and `location` (issue #12: a rank's
exception used to leave them empty). When the jsonschema module happens to be installed, the file
is validated with it too.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ANNOTATIONS = {'$schema', '$id', 'title', 'description', '$defs'}
TYPES = {
    'object': lambda v: isinstance(v, dict),
    'array': lambda v: isinstance(v, list),
    'string': lambda v: isinstance(v, str),
    'integer': lambda v: isinstance(v, int) and not isinstance(v, bool),
}


def validate(value, schema, root, path, errors):
    """Appends to errors every way value breaks schema."""
    unknown = set(schema) - ANNOTATIONS - {'type', 'const', 'enum', 'required', 'properties',
                                           'additionalProperties', 'items', 'minimum', '$ref'}
    if unknown:
        raise SystemExit(f'report_json.py: the schema uses {sorted(unknown)}, which this check does not know')
    if '$ref' in schema:
        ref = schema['$ref']
        if not ref.startswith('#/$defs/'):
            raise SystemExit(f'report_json.py: unsupported $ref {ref}')
        validate(value, root['$defs'][ref[len('#/$defs/'):]], root, path, errors)
    if 'type' in schema and not TYPES[schema['type']](value):
        errors.append(f'{path}: {json.dumps(value)} is not of type {schema["type"]}')
        return
    if 'const' in schema and (value != schema['const'] or type(value) is not type(schema['const'])):
        errors.append(f'{path}: {json.dumps(value)} is not {json.dumps(schema["const"])}')
    if 'enum' in schema and value not in schema['enum']:
        errors.append(f'{path}: {json.dumps(value)} is not one of {schema["enum"]}')
    if 'minimum' in schema and value < schema['minimum']:
        errors.append(f'{path}: {value} is less than {schema["minimum"]}')
    if isinstance(value, dict):
        for name in schema.get('required', []):
            if name not in value:
                errors.append(f'{path}: the field "{name}" is missing')
        properties = schema.get('properties', {})
        for name, item in value.items():
            if name in properties:
                validate(item, properties[name], root, f'{path}.{name}', errors)
            elif schema.get('additionalProperties', True) is False:
                errors.append(f'{path}: the field "{name}" is not in the schema')
    if isinstance(value, list) and 'items' in schema:
        for i, item in enumerate(value):
            validate(item, schema['items'], root, f'{path}[{i}]', errors)


def field_names(schema):
    """Every property name the schema defines, anywhere."""
    names = set()
    if isinstance(schema, dict):
        names |= set(schema.get('properties', {}))
        for item in schema.values():
            names |= field_names(item)
    return names


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--schema', required=True)
    parser.add_argument('--doc', required=True)
    parser.add_argument('--status', type=int, default=1)
    parser.add_argument('--kind', action='append', default=[])
    parser.add_argument('--calls-named', action='store_true')
    parser.add_argument('program', nargs=argparse.REMAINDER)
    args = parser.parse_args()
    program = args.program[1:] if args.program[:1] == ['--'] else args.program
    with open(args.schema) as f:
        schema = json.load(f)
    with open(args.doc) as f:
        doc = f.read()

    errors = []
    for name in sorted(field_names(schema)):
        if not re.search(rf'^\| `{re.escape(name)}` \|', doc, re.MULTILINE):
            errors.append(f'{args.doc} has no table row for the field "{name}"')

    env = {k: v for k, v in os.environ.items() if not k.startswith('BATON_')}
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, 'report.json')
        command = program[:1] + ['--report-json', path] + program[1:]  # before the program's own arguments
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                              stdin=subprocess.DEVNULL, timeout=60)
        if done.returncode != args.status:
            errors.append(f'exit status {done.returncode}, expected {args.status}')
        try:
            with open(path) as f:
                text = f.read()
            report = json.loads(text)
        except (OSError, ValueError) as e:
            report, text = None, ''
            errors.append(f'no JSON report: {e}')
    if report is not None:
        validate(report, schema, schema, '$', errors)
        kinds = [f.get('kind') for f in report.get('findings', [])] if isinstance(report, dict) else []
        if kinds != args.kind:
            errors.append(f'findings of kinds {kinds}, expected {args.kind}')
        if args.calls_named:
            for i, f in enumerate(report.get('findings', [])):
                if not f.get('calls'):
                    errors.append(f'$.findings[{i}] names no call')
                for j, c in enumerate(f.get('calls', [])):
                    for field in ('call', 'location'):
                        if not c.get(field):
                            errors.append(f'$.findings[{i}].calls[{j}].{field} is empty')
        try:
            import jsonschema
        except ImportError:
            jsonschema = None
        if jsonschema is not None:
            for e in jsonschema.Draft202012Validator(schema).iter_errors(report):
                errors.append(f'jsonschema: {e.message}')
    if errors:
        print('$ ' + ' '.join(command))
        print(done.stderr, end='')
        print(text)
        for e in errors:
            print('report_json.py: ' + e)
        return 1
    print(f'{" ".join(command)}: {len(kinds)} finding(s) {kinds}, every field as {args.schema} says')
    return 0


if __name__ == '__main__':
    sys.exit(main())

package metadata

import (
	"errors"
	"fmt"
	"sort"
)

// Schema is a snapshot of a cluster's schema: every keyspace, virtual ones
// included. It is immutable: WithKeyspace, WithoutKeyspace and Refresh
// return a new Schema sharing what did not change, so a *Schema may be
// read by any number of goroutines while the driver builds the next one.
//
// The methods of a nil *Schema report an empty schema.
type Schema struct {
	// Version is the schema table family the schema was read from.
	Version   SchemaVersion
	keyspaces map[string]*Keyspace
}

// Keyspace returns the named keyspace, or nil.
func (s *Schema) Keyspace(name string) *Keyspace {
	if s == nil {
		return nil
	}
	return s.keyspaces[name]
}

// Keyspaces returns the keyspace names, sorted. The slice is the caller's.
func (s *Schema) Keyspaces() []string {
	if s == nil {
		return nil
	}
	names := make([]string, 0, len(s.keyspaces))
	for n := range s.keyspaces {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// WithKeyspace returns a schema with ks (not nil) in place of the keyspace
// of that name, or added. s is not modified; a nil s stands for an empty
// schema of family ks was read from.
func (s *Schema) WithKeyspace(ks *Keyspace) *Schema {
	n := s.copy(1)
	if s == nil {
		n.Version = ks.version
	}
	n.keyspaces[ks.Name] = ks
	return n
}

// WithoutKeyspace returns a schema without the named keyspace. s is not
// modified.
func (s *Schema) WithoutKeyspace(name string) *Schema {
	if s.Keyspace(name) == nil {
		return s
	}
	n := s.copy(0)
	delete(n.keyspaces, name)
	return n
}

func (s *Schema) copy(extra int) *Schema {
	n := &Schema{}
	if s != nil {
		n.Version = s.Version
		n.keyspaces = make(map[string]*Keyspace, len(s.keyspaces)+extra)
		for k, v := range s.keyspaces {
			n.keyspaces[k] = v
		}
	} else {
		n.keyspaces = map[string]*Keyspace{}
	}
	return n
}

// Problems lists what could not be parsed or resolved, across keyspaces,
// sorted by keyspace.
func (s *Schema) Problems() []Problem {
	var out []Problem
	for _, name := range s.Keyspaces() {
		out = append(out, s.keyspaces[name].Problems()...)
	}
	return out
}

// Problem is something in the rows that could not be parsed or resolved,
// such as a column of a user type the keyspace does not have. The element
// is still in the schema, as complete as the rows allow (an unknown user
// type keeps its keyspace and name, without fields).
type Problem struct {
	Keyspace string
	// Element names what the problem is in: "table t", "type address",
	// "function f(int)", "keyspace".
	Element string
	Message string
}

// String returns keyspace, element and message.
func (p Problem) String() string {
	return fmt.Sprintf("%s: %s: %s", p.Keyspace, p.Element, p.Message)
}

// ErrUnknownKeyspace is returned by Refresh for a change inside a keyspace
// the schema does not have: read the whole keyspace instead (RefreshQueries
// with a KEYSPACE target).
var ErrUnknownKeyspace = errors.New("metadata: change in a keyspace the schema does not have")

package metadata

import (
	"strings"

	"github.com/cqlgo/cassandra/frame"
)

// UserType is a user-defined type.
type UserType struct {
	Keyspace string
	Name     string
	Fields   []Field
	// Type is the type as a column of this type has it: TypeUDT with the
	// fields filled in. Shared and read-only.
	Type *frame.Type

	// defProblems come from reading the type's row, problems from resolving
	// its fields.
	defProblems, problems []Problem
}

// Field is a field of a user type.
type Field struct {
	Name string
	Type *frame.Type
	// CQLType is the field's type as CQL text (see Column.CQLType).
	CQLType string
}

// Problems lists what could not be resolved in the type (an unknown user
// type among its fields, text that does not parse).
func (u *UserType) Problems() []Problem { return concatProblems(u.defProblems, u.problems) }

// Function is a user-defined function (Cassandra 2.2+).
type Function struct {
	Keyspace string
	Name     string
	ArgNames []string
	ArgTypes []*frame.Type
	// ArgCQLTypes are the argument types as CQL text, as the server spells
	// them.
	ArgCQLTypes       []string
	ReturnType        *frame.Type
	ReturnCQLType     string
	Language          string
	Body              string
	CalledOnNullInput bool

	// problems come from the row, typeProblems from resolving the types.
	problems, typeProblems []Problem
}

// Signature returns name(type, ...), the key of the function in
// Keyspace.Functions: overloads differ by their argument types.
func (f *Function) Signature() string { return signature(f.Name, f.ArgCQLTypes) }

// Problems lists what could not be parsed or resolved in the function.
func (f *Function) Problems() []Problem { return concatProblems(f.problems, f.typeProblems) }

// Aggregate is a user-defined aggregate (Cassandra 2.2+).
type Aggregate struct {
	Keyspace string
	Name     string
	ArgTypes []*frame.Type
	// ArgCQLTypes are the argument types as CQL text.
	ArgCQLTypes []string
	// StateFunc and FinalFunc name functions of the same keyspace;
	// FinalFunc is empty when there is none.
	StateFunc     string
	StateType     *frame.Type
	StateCQLType  string
	FinalFunc     string
	ReturnType    *frame.Type
	ReturnCQLType string
	// InitCond is the initial state as a CQL literal, such as (0, 0); empty
	// when there is none.
	InitCond string

	problems, typeProblems []Problem
}

// Signature returns name(type, ...), the key of the aggregate in
// Keyspace.Aggregates.
func (a *Aggregate) Signature() string { return signature(a.Name, a.ArgCQLTypes) }

// Problems lists what could not be parsed or resolved in the aggregate.
func (a *Aggregate) Problems() []Problem { return concatProblems(a.problems, a.typeProblems) }

func signature(name string, args []string) string {
	return name + "(" + strings.Join(args, ", ") + ")"
}

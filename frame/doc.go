// Package frame is the Cassandra native protocol codec, versions 3, 4 and 5.
//
// It is pure: it works on byte slices only and holds no sockets, goroutines,
// timers or pools, so the driver's connections, the simulated nodes in
// internal/ and the capture tools all stand on the same code. Every message
// has one file with a symmetric Encode/Decode pair; requests can be decoded
// and responses encoded, so a test server is built from the same pieces as
// the client.
//
// Decoders never panic on hostile input and never allocate more than the
// bytes present justify: every count read from the wire is checked against
// the bytes left before anything is made. Errors are *DecodeError values that
// say what was being read and at which offset.
package frame

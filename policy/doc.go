// Package policy holds the driver's pluggable decisions: which hosts a
// request tries and in what order (load balancing), what to do after a
// failed attempt (retry), when to send a speculative attempt, and how long
// to wait between reconnection attempts.
//
// Policies are small interfaces over data this package owns: Host, the
// RoutingInfo of a request and a read-only View of the cluster. They never
// see the driver's Session, so they can be tested alone. Stateful policies
// are factories: a RetryPolicy makes a RetrySession per request, a
// ReconnectionPolicy makes a Schedule per host.
package policy

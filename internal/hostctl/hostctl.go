// Package hostctl lets the driver change the hosts it owns while users,
// who see the same *policy.Host values, cannot: package policy installs
// the functions here when it loads, and only packages of this module can
// import an internal package.
package hostctl

// SetState sets a *policy.Host's state (a policy.HostState), returning the
// previous one.
var SetState func(h any, state int32) int32

// SetInfo replaces a *policy.Host's description with a policy.HostInfo.
var SetInfo func(h any, info any)

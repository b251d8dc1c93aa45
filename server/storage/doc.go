// Package storage declares what Gatehouse keeps: small interfaces per entity,
// composed into Store, and the value types they carry. Every method takes ctx
// first and the pool id next, because every row belongs to a pool.
//
// Implementations live in sqlstore; storagetest is the conformance suite each
// of them must pass. Read-modify-write goes through Store.InTx: the
// transaction travels in ctx, so a method called with that ctx joins it.
package storage

/**
 * Internals of the Vitesse SGEMM (not public API; may change without notice): block sizes, operand packing,
 * register-tile micro-kernels, the five-loop driver and the epilogue math. Use
 * {@link dev.vitesse.kernels.Gemm} and {@link dev.vitesse.kernels.PackedMatrix} instead.
 */
package dev.vitesse.kernels.gemm;

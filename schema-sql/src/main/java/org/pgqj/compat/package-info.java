/**
 * The versions of the libraries pgqueuer-jooq runs on: {@link org.pgqj.compat.UnsupportedDependencyException}
 * when one on the class path is older than supported.
 */
package org.pgqj.compat;

/**
 * The pgqueuer migrations ({@code V1__…sql}, {@code V2__…sql}), Flyway location {@code classpath:db/pgqueuer}.
 * No classes: this package exists so that the module can open the migrations to Flyway, which reads them
 * from outside this module.
 */
package db.pgqueuer;

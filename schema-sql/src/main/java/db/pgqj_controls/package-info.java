/**
 * pgqj's own control tables ({@code V1__…sql}), Flyway location {@code classpath:db/pgqj_controls}, history table
 * {@code <prefix>pgqj_controls_history}: beside pgqueuer's catalog, never in it. No classes: this package exists so
 * that the module can open the migrations to Flyway.
 */
package db.pgqj_controls;

/* Twin of benches/programs/counter_racy.weft: N processes each incrementing
 * a shared counter once without synchronization (a read step, then a write
 * step). A checker process asserts counter == N once all have finished
 * (weft's `final assert`); SPIN reports that assertion violated (it has no
 * race detector: weft also reports the data race and the lost update).
 *   spin -DN=4 -a counter_racy.pml */
#ifndef N
#define N 2
#endif

byte counter = 0;
byte finished = 0;

active [N] proctype inc()
{
	byte t;
	t = counter;
	d_step { counter = t + 1; t = 0; finished++ }
}

active proctype final_check()
{
	finished == N;
	assert(counter == N)
}

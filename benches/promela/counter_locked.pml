/* Twin of benches/programs/counter_locked.weft: N processes, each
 * incrementing a shared counter K times, taking one lock around each
 * increment (a read step, then a write step). The lock is a bit taken by a
 * test-and-set atomic step (together with the local loop test: weft folds
 * local work into the next step, and so does each twin). The local copy is cleared in the write step
 * (weft drops dead locals), and a process counts itself finished and
 * leaves its loop in the same step as its last one (weft's thread is then
 * finished: a separate step to leave the loop would add states); a checker process asserts counter == N * K
 * once all have finished (weft's `final assert`). Verdict: no error.
 *   spin -DN=8 -a counter_locked.pml */
#ifndef N
#define N 2
#endif
#ifndef K
#define K 2
#endif

byte counter = 0;
bit m = 0;
byte finished = 0;

active [N] proctype inc()
{
	byte t, i = 0;
	do
	:: atomic { i < K && m == 0 -> m = 1 };
		t = counter;
		d_step { counter = t + 1; t = 0 };
		atomic { m = 0; i++; if :: i == K -> finished++; break :: else -> skip fi }
	od
}

active proctype final_check()
{
	finished == N;
	assert(counter == N * K)
}

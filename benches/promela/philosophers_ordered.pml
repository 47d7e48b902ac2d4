/* Twin of benches/programs/philosophers_ordered.weft: N dining philosophers,
 * each taking the lower-numbered of its two forks first (no deadlock).
 * ROUNDS = 0: they eat forever (lock, lock, unlock, unlock, again);
 * ROUNDS = k: each eats k times. A fork is a bit taken by a test-and-set
 * atomic step (together with the local loop test: weft folds local work
 * into the next step, and so does each twin; the loop is left in the last
 * step, as weft's thread finishes with it). Verdict: no error (no invalid end state).
 *   spin -DN=8 -a philosophers_ordered.pml */
#ifndef N
#define N 3
#endif
#ifndef ROUNDS
#define ROUNDS 0
#endif

bit fork[N];

active [N] proctype philosopher()
{
	byte first = (_pid < (_pid + 1) % N -> _pid : (_pid + 1) % N);
	byte second = (_pid < (_pid + 1) % N -> (_pid + 1) % N : _pid);
	byte r = 0;
	do
	:: atomic { (ROUNDS == 0 || r < ROUNDS) && fork[first] == 0 -> fork[first] = 1 };
		atomic { fork[second] == 0 -> fork[second] = 1 };
		fork[second] = 0;	/* eating */
		atomic {
			fork[first] = 0;
			if :: ROUNDS > 0 -> r++ :: else -> skip fi;
			if :: ROUNDS > 0 && r >= ROUNDS -> break :: else -> skip fi
		}
	od
}

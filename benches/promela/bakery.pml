/* Twin of benches/programs/bakery.weft: Lamport's bakery algorithm for N
 * processes, each entering the critical section ROUNDS times. Taking a ticket
 * reads every other ticket (one step each) and writes one more than the
 * largest; then, for every other process j, it waits until j is not choosing,
 * and until j has no ticket or a later one (ties broken by index), each wait
 * one step. The ghost `inside` counts the processes between the read and the
 * write of the critical increment, and the read step asserts mutual
 * exclusion; a checker asserts count == N * ROUNDS at the end.
 *   spin -DN=3 -DROUNDS=1 -a bakery.pml */
#ifndef N
#define N 2
#endif
#ifndef ROUNDS
#define ROUNDS 1
#endif

bool choosing[N];
byte number[N];
byte count = 0;
byte inside = 0;
byte finished = 0;

active [N] proctype p()
{
	byte j, max, mine, t, r = 0;
	do
	:: atomic { r < ROUNDS -> choosing[_pid] = true };
		do
		:: j < N ->
			d_step { if :: j != _pid && number[j] > max -> max = number[j] :: else -> skip fi; j++ }
		:: j >= N -> break
		od;
		atomic { mine = max + 1; max = 0; j = 0; number[_pid] = mine };
		choosing[_pid] = false;
		do
		:: j < N && j == _pid -> j++
		:: j < N && j != _pid ->
			!choosing[j];
			(number[j] == 0 || number[j] > mine || (number[j] == mine && j > _pid));
			j++
		:: j >= N -> j = 0; break
		od;
		atomic { inside++; assert(inside == 1); t = count };
		d_step { count = t + 1; t = 0 };
		atomic {
			inside--;
			number[_pid] = 0;
			mine = 0;
			r++;
			if :: r == ROUNDS -> finished++; break :: else -> skip fi
		}
	od
}

active proctype final_check()
{
	finished == N;
	assert(count == N * ROUNDS)
}

META
key;value
description;Buurtbudget Oost 2026 (made up for samen's tests)
comment;"Written for samen's tests in the pabulib .pb format as described at https://pabulib.org/format (sections META, PROJECTS, VOTES; ';' separated, quoted as CSV). The budget, projects and votes are invented."
country;Netherlands
unit;Amsterdam
subunit;Oost
instance;2026
currency;EUR
num_projects;6
num_votes;12
budget;100000
vote_type;approval
rule;greedy
min_length;1
max_length;3
date_begin;01.03.2026
date_end;31.03.2026
PROJECTS
project_id;cost;votes;name;category;target;selected
1;60000;8;Speeltuin Zeeburgerdijk;public space,children;children;1
2;35000;6;"Buurtkamer; koffie en taal";social;seniors,adults;1
3;25000;5;"""Groene"" daken op de Dapperbuurt";environment;;0
4;15000;4;Fietsenstalling Javaplein;mobility;adults;0
5;8000;3;Moestuin Flevopark;environment,education;children,adults;0
6;40000;1;Skatebaan;sport;youth;0
VOTES
voter_id;age;sex;voting_method;vote
1;34;f;internet;1,2
2;51;m;internet;1,2,3
3;23;m;paper;1,3
4;19;f;internet;1,4,5
5;62;f;internet;1,2
6;54;m;paper;1,2
7;49;m;internet;1,3
8;27;f;internet;1,4
9;39;f;internet;2,3,5
10;44;m;paper;2,3
11;70;f;paper;4,5
12;31;x;internet;4,6
